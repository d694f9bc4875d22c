using Edison.Core.Runs;

namespace Edison.Core.Tests.Runs;

public sealed class IterationLifecycleTests
{
    [Fact]
    public void Transitions_EveryOne_GoesBetweenKnownStatesAndNeverLeavesATerminalState()
    {
        foreach (var t in IterationLifecycle.Transitions)
        {
            Assert.Contains(t.To, IterationStatus.All);
            Assert.NotEmpty(t.From);
            Assert.All(t.From, from => Assert.Contains(from, IterationStatus.All));
            Assert.DoesNotContain(t.From, IterationStatus.IsTerminal);
        }
    }

    [Fact]
    public void Transitions_Names_AreUniqueAndMatchTheirFields()
    {
        var names = IterationLifecycle.Transitions.Select(t => t.Name).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(nameof(IterationLifecycle.StartExecuting), IterationLifecycle.StartExecuting.Name);
        Assert.Equal(nameof(IterationLifecycle.StopOnBudget), IterationLifecycle.StopOnBudget.Name);
    }

    [Fact]
    public void Transitions_LoopOfOneIteration_ReachesEveryStateFromPending()
    {
        // Every non-initial state is some transition's target, and each is reachable from pending.
        var reached = new HashSet<string>(StringComparer.Ordinal) { IterationStatus.Pending };
        bool grew;
        do
        {
            grew = false;
            foreach (var t in IterationLifecycle.Transitions.Where(t => t.From.Any(reached.Contains)))
            {
                grew |= reached.Add(t.To);
            }
        }
        while (grew);

        Assert.Equal(IterationStatus.All.OrderBy(s => s, StringComparer.Ordinal), reached.OrderBy(s => s, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(IterationStatus.Pending, true)]
    [InlineData(IterationStatus.Reviewing, true)]
    [InlineData(IterationStatus.Completed, false)]
    [InlineData(IterationStatus.Failed, false)]
    [InlineData(IterationStatus.Cancelled, false)]
    public void Cancel_FromState_AllowedOnlyWhileUnfinished(string from, bool allowed)
    {
        Assert.Equal(allowed, IterationLifecycle.Cancel.Allows(from));
        Assert.Equal(allowed, IterationLifecycle.StopOnBudget.Allows(from));
        Assert.Equal(allowed, IterationLifecycle.Fail.Allows(from));
    }

    [Fact]
    public void Terminal_IsTheSetAfterWhichNoWorkHappens()
    {
        Assert.Equal([IterationStatus.Completed, IterationStatus.Failed, IterationStatus.Cancelled], IterationStatus.Terminal);
        Assert.Equal(IterationStatus.All.Except(IterationStatus.Terminal), IterationStatus.Unfinished);
        Assert.True(IterationStatus.IsTerminal(IterationStatus.Cancelled));
        Assert.False(IterationStatus.IsTerminal(IterationStatus.Reviewing));
    }
}
