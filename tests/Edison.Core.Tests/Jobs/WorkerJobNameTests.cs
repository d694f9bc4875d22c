using System.Reflection;
using Edison.Core.Jobs;
using Quartz;

namespace Edison.Core.Tests.Jobs;

public sealed class WorkerJobNameTests
{
    public static TheoryData<string> JobTypeNames()
    {
        var data = new TheoryData<string>();
        foreach (var field in typeof(WorkerJobs).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
        {
            data.Add((string)field.GetRawConstantValue()!);
        }

        return data;
    }

    [Fact]
    public void WorkerJobs_Constants_ThereAreSome()
    {
        Assert.True(JobTypeNames().Count >= 3);
    }

    [Theory]
    [MemberData(nameof(JobTypeNames))]
    public void WorkerJobs_Constant_NamesAnIJobInTheWorker(string assemblyQualifiedName)
    {
        var type = Type.GetType(assemblyQualifiedName, throwOnError: false);

        Assert.True(type is not null, $"'{assemblyQualifiedName}' does not resolve to a type.");
        Assert.Equal("Edison.Worker", type.Assembly.GetName().Name);
        Assert.True(typeof(IJob).IsAssignableFrom(type), $"{type} does not implement Quartz.IJob.");
        Assert.False(type.IsAbstract);
    }
}
