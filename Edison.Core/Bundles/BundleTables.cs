namespace Edison.Core.Bundles;

/// The tables an experiment bundle holds, in an order that satisfies every foreign key on import, and how each is selected.
/// A column listed in Deferred points forward (a cycle); import writes it once every table is in.
internal static class BundleTables
{
    public sealed record Table(string Name, string Filter, string OrderBy, params string[] Deferred);

    public static readonly Table[] All =
    [
        new("projects", "id = (SELECT project_id FROM experiments WHERE id = @experimentId)", "id"),
        new("provider_credentials", """
            id IN (SELECT credential_id FROM model_configs WHERE experiment_id = @experimentId
                   UNION SELECT credential_id FROM judge_configs WHERE experiment_id = @experimentId)
            """, "id"),
        new("experiments", "id = @experimentId", "id", "recommended_version_id"),
        new("prompt_versions", "experiment_id = @experimentId", "version", "suggestion_id"),
        new("model_configs", "experiment_id = @experimentId", "id"),
        new("judge_configs", "experiment_id = @experimentId", "id"),
        new("datasets", "experiment_id = @experimentId", "id"),
        new("cases", "dataset_id IN (SELECT id FROM datasets WHERE experiment_id = @experimentId)", "id"),
        new("case_versions", "case_id IN (SELECT c.id FROM cases c JOIN datasets d ON d.id = c.dataset_id WHERE d.experiment_id = @experimentId)",
            "case_id, version"),
        new("dataset_versions", "dataset_id IN (SELECT id FROM datasets WHERE experiment_id = @experimentId)", "id"),
        new("dataset_version_cases", """
            dataset_version_id IN (SELECT dv.id FROM dataset_versions dv JOIN datasets d ON d.id = dv.dataset_id WHERE d.experiment_id = @experimentId)
            """, "dataset_version_id, case_id"),
        new("iterations", "experiment_id = @experimentId", "number"),
        new("model_runs", "iteration_id IN (SELECT id FROM iterations WHERE experiment_id = @experimentId)", "id"),
        new("llm_calls", "experiment_id = @experimentId", "id"),
        new("outputs", "model_run_id IN (SELECT mr.id FROM model_runs mr JOIN iterations i ON i.id = mr.iteration_id WHERE i.experiment_id = @experimentId)",
            "id"),
        new("judgments", "iteration_id IN (SELECT id FROM iterations WHERE experiment_id = @experimentId)", "id"),
        new("suggestions", "iteration_id IN (SELECT id FROM iterations WHERE experiment_id = @experimentId)", "id"),
        new("reviews", """
            suggestion_id IN (SELECT s.id FROM suggestions s JOIN iterations i ON i.id = s.iteration_id WHERE i.experiment_id = @experimentId)
            OR output_id IN (SELECT o.id FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id JOIN iterations i ON i.id = mr.iteration_id
                             WHERE i.experiment_id = @experimentId)
            """, "id"),
    ];

    /// Columns that name a person of the exporting instance; a bundle carries no accounts, so they travel as null.
    public static readonly HashSet<string> UserColumns = new(StringComparer.Ordinal)
    {
        "created_by", "approved_by", "rater_user_id", "reviewer_id", "decided_by", "user_id",
    };

    /// The instance's own bookkeeping (the iteration page's change stamp, migration 0016) travels as its starting value, and a
    /// bundle exported before the column existed gets that value on import.
    public static readonly (string Table, string Column, int Start)[] InstanceColumns = [("iterations", "change_stamp", 0)];

    /// Secrets never leave the instance.
    public static readonly HashSet<string> SecretColumns = new(StringComparer.Ordinal) { "api_key_encrypted" };
}
