namespace Edison.Core.Statistics;

/// <summary>An item's fitted Bradley–Terry log-strength with its bootstrap interval.</summary>
/// <param name="Item">The item.</param>
/// <param name="Strength">Log-strength; the strengths of all items have mean 0, and P(i beats j) = 1 / (1 + e^(Strength_j − Strength_i)).</param>
/// <param name="Low">Lower percentile bound from resampling cases.</param>
/// <param name="High">Upper percentile bound from resampling cases.</param>
/// <param name="Wins">Observed wins, a tie counting as half.</param>
/// <param name="Comparisons">Observed comparisons the item took part in.</param>
public sealed record BradleyTerryStrength(string Item, double Strength, double Low, double High, double Wins, int Comparisons);
