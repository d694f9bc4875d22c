using System.Reflection;
using System.Text.RegularExpressions;
using Edison.Core.Security;

namespace Edison.Core.Tests.Architecture;

/// A Core service method that changes something on someone's behalf must know who acts: its name starts with a changing verb,
/// so it takes an Actor (and checks the role) unless it is marked a system operation with the reason nobody acts. Services are
/// Core's public classes that only Core can build (no public constructor: AddEdisonCore makes them); static helpers and
/// value types compute, they do not store.
public sealed partial class ActorBoundaryTests
{
    private static readonly Type[] PublicClasses = typeof(Actor).Assembly.GetExportedTypes().Where(t => t.IsClass).ToArray();

    private static readonly Type[] Services = PublicClasses
        .Where(t => !t.IsAbstract && t.GetConstructors(BindingFlags.Public | BindingFlags.Instance).Length == 0).ToArray();

    [Fact]
    public void MutatingVerb_KnownServiceMethods_AreRecognised()
    {
        // Guards the rule below against passing because the pattern or the reflection finds nothing.
        var names = MutatingMethods().Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToHashSet(StringComparer.Ordinal);

        Assert.Contains("ExperimentService.CreateAsync", names);
        Assert.Contains("ReviewService.ApproveAsync", names);
        Assert.Contains("CredentialService.RotateAsync", names);
        Assert.Contains("DatasetSplitService.StratifyAsync", names);
        Assert.Contains("PriceService.SetAsync", names);
        Assert.DoesNotContain("AccountService.SettingsAsync", names);
    }

    [Fact]
    public void MutatingVerb_EveryPublicCoreMethod_TakesAnActorOrIsASystemOperation()
    {
        var unguarded = MutatingMethods()
            .Where(m => !m.GetParameters().Any(p => p.ParameterType == typeof(Actor)))
            .Where(m => m.GetCustomAttribute<SystemOperationAttribute>() is null && m.DeclaringType!.GetCustomAttribute<SystemOperationAttribute>() is null)
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .Distinct()
            .ToList();

        Assert.True(unguarded.Count == 0, "Public Core methods that change data without knowing who acts (take an Actor, or mark "
            + "[SystemOperation(\"why\")]):\n" + string.Join("\n", unguarded));
    }

    [Fact]
    public void SystemOperation_EveryUse_SaysWhy()
    {
        var silent = PublicClasses.SelectMany(t => t.GetMethods().Cast<MemberInfo>().Append(t))
            .Where(m => m.GetCustomAttribute<SystemOperationAttribute>() is { } a && a.Reason.Trim().Length < 20)
            .Select(m => m.Name).ToList();

        Assert.Empty(silent);
    }

    private static IEnumerable<MethodInfo> MutatingMethods() =>
        Services.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && MutatingVerb().IsMatch(m.Name));

    // The verb must end the name or be followed by a capital ("SetAsync", "SetLabelAsync"), so "SettingsAsync" is not a Set.
    [GeneratedRegex("^(Create|Start|Set|Approve|Reject|Request|Stop|Rate|Rotate|Disable|Enable|Delete|Cancel|Pause|Resume|Restore|Import|Commit|"
        + "Accept|Discard|Edit|Stratify|Assign|Transfer|Update|Add|Remove|Revoke|Change|Invite|Complete|Save|Insert|Upsert|Grant)(?=[A-Z]|$)")]
    private static partial Regex MutatingVerb();
}
