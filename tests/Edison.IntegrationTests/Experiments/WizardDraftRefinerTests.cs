extern alias web;
using Edison.Core.Experiments;
using web::Edison.Web.Pages.Experiments.Wizard;

namespace Edison.IntegrationTests.Experiments;

/// <summary>What "Draft the rest" does to the wizard's refiner model: offers the drafted one, never over the person's choice.</summary>
public sealed class WizardDraftRefinerTests
{
    private static readonly Guid AssistCredential = Guid.NewGuid();

    [Fact]
    public void ApplyDrafted_NoRefinerYet_TheDraftedRefinerIsFilledIn()
    {
        var draft = new WizardDraft { Goal = "Answer support questions." };

        draft.ApplyDrafted(Drafted("sim-assist"));

        Assert.Equal("sim-assist", draft.RefinerModel);
        Assert.Equal(AssistCredential, draft.ToDefinition().Refiner.CredentialId);
    }

    [Fact]
    public void ApplyDrafted_RefinerTypedByThePerson_Kept()
    {
        var draft = new WizardDraft { Goal = "Answer support questions.", RefinerModel = "their-model" };

        draft.ApplyDrafted(Drafted("sim-assist"));

        Assert.Equal("their-model", draft.RefinerModel);
    }

    [Fact]
    public void ApplyDrafted_ExperimentCallsThroughAnotherCredential_RefinerLeftForThePerson()
    {
        var draft = new WizardDraft { Goal = "Answer support questions.", CredentialId = Guid.NewGuid() };

        draft.ApplyDrafted(Drafted("sim-assist"));

        Assert.Equal("", draft.RefinerModel);
    }

    private static ExperimentDefinition Drafted(string model) => new()
    {
        Name = "Support",
        Goal = "Answer support questions.",
        Rubric = new Rubric([]),
        PromptTemplate = "{{ question }}",
        Cases = [],
        Models = [new ModelConfigDraft(AssistCredential, model)],
        Judges = [new JudgeConfigDraft(JudgeKinds.Pointwise, AssistCredential, model)],
        Refiner = new RefinerConfig { CredentialId = AssistCredential, Model = model },
    };
}
