using Edison.Testing;

namespace Edison.IntegrationTests.Llm;

/// <summary>A fact that reports as skipped, with the reason, when the tiny model file is absent (xunit 2 has no dynamic skip).</summary>
public sealed class TinyModelFactAttribute : FactAttribute
{
    public TinyModelFactAttribute()
    {
        if (TinyModel.AbsentReason is { } reason)
        {
            Skip = reason;
        }
    }
}
