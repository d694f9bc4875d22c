using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Dapper;
using Edison.Core.Assist;
using Edison.Core.Datasets;
using Edison.Core.Experiments;
using Edison.Core.Generation;
using Edison.Core.Llm;
using Edison.Core.Security;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Security;

/// Core checks roles again behind the web layer: every public method of Core that acts for someone (takes an Actor) states the
/// role it needs, refuses an actor one role short (or a token capped one role short) on a real resource without writing an
/// audit row, and an allowed change writes exactly one audit row that says who, what and which request, and holds no secret.
public sealed class ServiceAuthorizationTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    private static readonly NullabilityInfoContext Nullability = new();

    [Fact]
    public async Task Authorization_EveryActorTakingCoreMethod_RefusesAnActorOneRoleShortAndWritesNoAuditRow()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var resources = await ProjectResources.CreateAsync(web, cts.Token);
        var dataSource = web.Database.DataSource;
        var members = new Dictionary<ProjectRole, Actor>();
        foreach (var role in Enum.GetValues<ProjectRole>())
        {
            members[role] = await TestActors.MemberAsync(dataSource, resources.ProjectId, role, cts.Token);
        }

        var outsider = await TestActors.OutsiderAsync(dataSource, cts.Token);
        await using var connection = await dataSource.OpenConnectionAsync(cts.Token);
        var auditRowsBefore = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_log");
        var ownersBefore = await OwnerCountAsync(connection, resources.ProjectId);

        var methods = ActorTakingMethods();
        Assert.True(methods.Count >= 40, $"Only {methods.Count} actor-taking methods found: the reflection is not finding Core's services.");
        var problems = new List<string>();
        foreach (var method in methods)
        {
            var name = $"{method.DeclaringType!.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})";
            var attempts = Attempts(method, members, outsider).ToList();
            if (attempts.Count == 0)
            {
                problems.Add($"{name} declares neither [RequiresRole] nor [RequiresInstanceOwner].");
                continue;
            }

            foreach (var (who, actor, expectNotAMember) in attempts)
            {
                var outcome = await CallAsync(method, actor, resources, cts.Token);
                if (outcome is not ProjectAccessDeniedException denied)
                {
                    problems.Add($"{name} as {who}: {(outcome is null ? "allowed" : outcome.GetType().Name + ": " + outcome.Message)}");
                }
                else if (expectNotAMember is { } notAMember && denied.NotAMember != notAMember)
                {
                    // A non-member refusal for a member means the resource was not found: the call proved nothing about roles.
                    problems.Add($"{name} as {who}: refused as {(denied.NotAMember ? "a non-member" : "a member")} ({denied.Message})");
                }
            }
        }

        Assert.True(problems.Count == 0, "Core methods that let someone act without the role:\n" + string.Join("\n", problems));
        Assert.Equal(auditRowsBefore, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_log"));
        Assert.Equal(ownersBefore, await OwnerCountAsync(connection, resources.ProjectId));
    }

    [Fact]
    public async Task Audit_AllowedCredentialChanges_EachWriteOneRowWithWhoWhatAndRequestAndNeverTheKey()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var dataSource = web.Database.DataSource;
        await using var connection = await dataSource.OpenConnectionAsync(cts.Token);
        var projectId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM projects ORDER BY created_at LIMIT 1");
        var admin = await TestActors.MemberAsync(dataSource, projectId, ProjectRole.Admin, cts.Token) with { RequestId = $"req-{Guid.NewGuid():N}" };
        var credentials = web.Factory.Services.GetRequiredService<CredentialService>();
        var plantedKey = $"sk-planted-{Guid.NewGuid():N}";
        var rotatedKey = $"sk-rotated-{Guid.NewGuid():N}";

        var created = await credentials.CreateAsync(admin, projectId,
            new CredentialDraft($"Audited {Guid.NewGuid():N}", ProviderKinds.OpenAICompatible, "http://127.0.0.1:9/v1", plantedKey), cts.Token);
        Assert.True(created.Succeeded, created.Error);
        var rotated = await credentials.RotateAsync(admin with { RequestId = admin.RequestId + "-rotate" }, projectId, created.Id!.Value, rotatedKey,
            cts.Token);
        Assert.True(rotated.Succeeded, rotated.Error);

        var rows = (await connection.QueryAsync<(Guid? ProjectId, Guid? UserId, string Action, string EntityType, string? RequestId, string? Before,
            string? After)>("""
            SELECT project_id, user_id, action, entity_type, request_id, before::text, after::text FROM audit_log
            WHERE entity_id = @id ORDER BY id
            """, new { id = created.Id })).ToList();
        Assert.Equal(
            [(projectId, admin.UserId, "credential.create", admin.RequestId), (projectId, admin.UserId, "credential.rotate", admin.RequestId + "-rotate")],
            rows.Select(r => ((Guid)r.ProjectId!, (Guid)r.UserId!, r.Action, r.RequestId)).ToList());
        Assert.Contains(plantedKey[^4..], rows[0].After, StringComparison.Ordinal);
        var everyAuditText = string.Join("\n", await connection.QueryAsync<string>(
            "SELECT concat_ws(' ', action, entity_type, before::text, after::text, request_id) FROM audit_log"));
        Assert.DoesNotContain(plantedKey, everyAuditText, StringComparison.Ordinal);
        Assert.DoesNotContain(rotatedKey, everyAuditText, StringComparison.Ordinal);
    }

    /// Every public instance method of a public Core class that takes an Actor, except the Actor record's own members and
    /// ProjectAccess, the check itself.
    private static List<MethodInfo> ActorTakingMethods() =>
        typeof(Actor).Assembly.GetExportedTypes().Where(t => t.IsClass && t != typeof(Actor) && t != typeof(ProjectAccess))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetParameters().Any(p => p.ParameterType == typeof(Actor)))
            .OrderBy(m => m.DeclaringType!.Name, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal)
            .ToList();

    /// Who to try for a method: the role one below its requirement (an outsider below viewer), and the project's owner through a
    /// token capped one below; for an instance-wide action, a project owner who is not the instance owner.
    private static IEnumerable<(string Who, Actor Actor, bool? ExpectNotAMember)> Attempts(MethodInfo method, Dictionary<ProjectRole, Actor> members,
        Actor outsider)
    {
        if (method.GetCustomAttribute<RequiresInstanceOwnerAttribute>() is not null)
        {
            yield return ("a project owner who is not the instance owner", members[ProjectRole.Owner], null);
            yield break;
        }

        if (method.GetCustomAttribute<RequiresRoleAttribute>() is not { } requires)
        {
            yield break;
        }

        if (requires.Role == ProjectRole.Viewer)
        {
            yield return ("an outsider", outsider, true);
            yield break;
        }

        var below = requires.Role - 1;
        yield return (below.ToText(), members[below], false);
        yield return ($"the owner through a {below.ToText()} token", members[ProjectRole.Owner] with { RoleCap = below }, false);
    }

    private async Task<Exception?> CallAsync(MethodInfo method, Actor actor, ProjectResources resources, CancellationToken cancellationToken)
    {
        var service = web.Factory.Services.GetRequiredService(method.DeclaringType!);
        var args = method.GetParameters().Select(p => ValueFor(method, p, actor, resources, cancellationToken)).ToArray();
        try
        {
            var result = method.Invoke(service, args);
            if (result is Task task)
            {
                await task;
            }
            else if (result is IAsyncEnumerable<string> stream)
            {
                await foreach (var _ in stream.WithCancellation(cancellationToken))
                {
                }
            }
            else
            {
                return new InvalidOperationException($"returns {result?.GetType().Name ?? "nothing"}; the test awaits tasks and text streams.");
            }

            return null;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            return ex.InnerException;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    // A value that reaches the role check: ids name the real resources (by parameter name), everything else is a harmless
    // placeholder, since the check comes first. An unknown parameter fails the test, so a new method gets a value here.
    private static object? ValueFor(MethodInfo method, ParameterInfo p, Actor actor, ProjectResources r, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        var nullable = Nullable.GetUnderlyingType(p.ParameterType) is not null
            || (!type.IsValueType && Nullability.Create(p).WriteState == NullabilityState.Nullable);
        return type switch
        {
            _ when type == typeof(Actor) => actor,
            _ when type == typeof(CancellationToken) => cancellationToken,
            _ when type == typeof(Guid) => p.Name switch
            {
                "projectId" => r.ProjectId,
                _ when nullable => null,
                "experimentId" => r.ExperimentId,
                "iterationId" => r.IterationId,
                "suggestionId" => r.SuggestionId,
                "outputId" => r.OutputId,
                "versionId" => r.PromptVersionId,
                "datasetId" => r.DatasetId,
                "runId" => r.GenerationRunId,
                "tokenId" => r.TokenId,
                "userId" => r.InstanceOwner.UserId,
                "id" when method.DeclaringType == typeof(CredentialService) => r.CredentialId,
                "caseId" or "alertId" => Guid.NewGuid(),
                _ => throw new InvalidOperationException($"{method.DeclaringType!.Name}.{method.Name}: no resource for Guid {p.Name}."),
            },
            _ when nullable => null,
            _ when type == typeof(string) => "x",
            _ when type == typeof(int) => 1,
            _ when type == typeof(double) => 0.5,
            _ when type == typeof(decimal) => 1m,
            _ when type == typeof(bool) => true,
            _ when type == typeof(TimeSpan) => TimeSpan.FromDays(1),
            _ when type == typeof(ProjectRole) => ProjectRole.Viewer,
            _ when type.IsEnum => Enum.GetValues(type).GetValue(0),
            _ when type == typeof(Stream) => new MemoryStream(),
            _ when type == typeof(AuditFilter) => new AuditFilter(),
            _ when type == typeof(AssistModelSetting) => new AssistModelSetting(r.CredentialId, "m"),
            _ when type == typeof(Edison.Core.Regression.ScheduleChoice) =>
                new Edison.Core.Regression.ScheduleChoice(Edison.Core.Regression.ScheduleChoice.Nightly, new TimeOnly(2, 0)),
            _ when type == typeof(Rubric) => Rubric.SingleCriterion("Helpful", "Helps."),
            _ when type == typeof(ExperimentDraft) => new ExperimentDraft(),
            _ when type == typeof(ExperimentDefinition) => RuntimeHelpers.GetUninitializedObject(type),
            _ when type == typeof(CredentialDraft) => new CredentialDraft("Refused", ProviderKinds.OpenAICompatible, "http://127.0.0.1:9/v1", "sk-refused"),
            _ when type == typeof(CaseInput) => new CaseInput(new Dictionary<string, JsonElement>(), null, [], null),
            _ when type == typeof(AssistTarget) => new AssistTarget(r.ProjectId, r.CredentialId, "m"),
            _ when type == typeof(AssistRequest) => new AssistRequest(new AssistTarget(r.ProjectId, r.CredentialId, "m"), AssistField.Goal,
                AssistMode.Draft, "Answer questions.", ""),
            _ when type == typeof(GenerationRequest) => new GenerationRequest
            {
                ProjectId = r.ProjectId, CredentialId = r.CredentialId, Model = "m", Goal = "Answer questions.", Variables = ["question"], Count = 1,
            },
            _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) => Array.CreateInstance(type.GetGenericArguments()[0], 0),
            _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) =>
                Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(type.GetGenericArguments())),
            _ => throw new InvalidOperationException($"{method.DeclaringType!.Name}.{method.Name}: no test value for {type.Name} {p.Name}."),
        };
    }

    private static Task<int> OwnerCountAsync(Npgsql.NpgsqlConnection connection, Guid projectId) =>
        connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM project_members WHERE role = 'owner' AND project_id = @projectId", new { projectId });
}
