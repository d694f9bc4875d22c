using Edison.Core;
using Edison.Core.Jobs;
using Microsoft.Extensions.Options;
using Quartz;

namespace Edison.Worker.Scheduling;

/// The one Quartz configuration, compiled into both the worker and the web app so both use the same clustered store.
public static class QuartzSetup
{
    public const string InstanceName = "edison";

    /// Registers Quartz on the clustered PostgreSQL store. Only the worker passes <paramref name="runsJobs"/>;
    /// the web app gets an <see cref="ISchedulerFactory"/> to schedule with and never starts a scheduler.
    public static IHostApplicationBuilder AddEdisonScheduler(this IHostApplicationBuilder builder, bool runsJobs,
        Action<IQuartzBuilder>? configureJobs = null)
    {
        builder.Services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>();

        var options = builder.Configuration.GetSection(SchedulerOptions.SectionName).Get<SchedulerOptions>() ?? new SchedulerOptions();
        if (options.BulkConcurrency < 1)
        {
            // Checked here too: Quartz is configured from these values before ValidateOnStart runs.
            throw new OptionsValidationException(SchedulerOptions.SectionName, typeof(SchedulerOptions),
                [$"{nameof(SchedulerOptions.ReservedForInteractive)} ({options.ReservedForInteractive}) must be less than {nameof(SchedulerOptions.MaxConcurrency)} ({options.MaxConcurrency})."]);
        }

        var connectionString = builder.Configuration.GetConnectionString(CoreRegistration.DatabaseConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{CoreRegistration.DatabaseConnectionName} is not set.");

        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = InstanceName;
                // The process id in the instance id lets an operator (and the fail-over drill) find who runs what.
                s.InstanceId = $"{Environment.MachineName}-{Environment.ProcessId}";
                s.IdleWaitTime = options.IdleWaitTime;
            });
            q.UseDefaultThreadPool(options.MaxConcurrency);
            q.UseExecutionLimits(limits => limits.ForGroup(JobExecutionGroups.Bulk, options.BulkConcurrency, ExecutionLimitScope.Node));
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.ConfigureStore(s =>
                {
                    s.DbRetryInterval = options.DbRetryInterval;
                    s.StoreJobDataAsStrings = true;
                });
                store.UseClustering(c =>
                {
                    c.CheckinInterval = options.CheckinInterval;
                    c.CheckinMisfireThreshold = options.CheckinMisfireThreshold;
                });
            });
            configureJobs?.Invoke(q);
        });

        if (runsJobs)
        {
            builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        }

        builder.Services.AddSingleton<IJobScheduler, QuartzJobScheduler>();
        builder.Services.AddSingleton<Edison.Core.Regression.IRegressionScheduler, QuartzRegressionScheduler>();
        return builder;
    }
}
