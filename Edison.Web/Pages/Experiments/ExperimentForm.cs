using Edison.Core.Experiments;

namespace Edison.Web.Pages.Experiments;

/// The new-experiment form's fields, bound from the POST.
public sealed class ExperimentForm
{
    public string Name { get; set; } = "";
    public string Goal { get; set; } = "";
    public string CriterionName { get; set; } = "Helpfulness";
    public string CriterionDescription { get; set; } = "";
    public string PromptTemplate { get; set; } = "";
    public string SystemText { get; set; } = "";
    public string CasesJsonl { get; set; } = "";
    public Guid? CredentialId { get; set; }
    public string BaseUrl { get; set; } = "https://api.openai.com/v1";
    public string ApiKey { get; set; } = "";
    public string Model { get; set; } = "gpt-4o-mini";
    public string JudgeModel { get; set; } = "gpt-4o";
    public string RefinerModel { get; set; } = "";

    public ExperimentDraft ToDraft() => new()
    {
        Name = Name ?? "",
        Goal = Goal ?? "",
        CriterionName = CriterionName ?? "",
        CriterionDescription = CriterionDescription ?? "",
        PromptTemplate = PromptTemplate ?? "",
        SystemText = SystemText ?? "",
        CasesJsonl = CasesJsonl ?? "",
        CredentialId = CredentialId,
        BaseUrl = BaseUrl ?? "",
        ApiKey = ApiKey ?? "",
        Model = Model ?? "",
        JudgeModel = JudgeModel ?? "",
        RefinerModel = RefinerModel ?? "",
    };

    public static ExperimentForm Example() => new()
    {
        Name = "Support reply drafter",
        Goal = "Draft a short, friendly, accurate reply to a customer's support question, with one concrete next step.",
        CriterionName = "Helpfulness",
        CriterionDescription = "The reply answers the actual question, is accurate and polite, and ends with one concrete next step.",
        PromptTemplate = "You are a support agent for Acme Cloud. Answer the customer in at most 4 sentences.\n\nCustomer ({{ plan }} plan): {{ question }}",
        CasesJsonl = """
            {"plan": "Free", "question": "How do I reset my password?"}
            {"plan": "Pro", "question": "My invoice shows two charges this month. Why?"}
            {"input": {"plan": "Team", "question": "Can I add a teammate without paying more?"}, "tags": ["billing"], "difficulty": "medium"}
            """,
    };
}
