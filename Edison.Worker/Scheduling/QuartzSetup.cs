using Edison.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;

namespace Edison.Worker.Scheduling;

/// The one Quartz configuration, compiled into both the worker and the web app so both use the same clustered store.
public static class QuartzSetup
{
    public const string InstanceName = "edison";

    /// Registers Quartz on the clustered PostgreSQL store. Only the worker passes <paramref name="runsJobs"/>;
    /// the web app gets an <see cref="ISchedulerFactory"/> to schedule with and never starts a scheduler.
    public static IHostApplicationBuilder AddEdisonScheduler(this IHostApplicationBuilder builder, bool runsJobs)
    {
        builder.Services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>();

        var options = builder.Configuration.GetSection(SchedulerOptions.SectionName).Get<SchedulerOptions>() ?? new SchedulerOptions();
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.Database)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.Database} is not set.");

        builder.Services.AddQuartz(q =>
        {
            q.SchedulerName = InstanceName;
            q.SchedulerId = $"{Environment.MachineName}-{Environment.ProcessId}";
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = options.MaxConcurrency);
            q.SetProperty("quartz.scheduler.idleWaitTime", ((long)options.IdleWaitTime.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            q.SetProperty("quartz.scheduler.dbFailureRetryInterval", ((long)options.DbRetryInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            q.UsePersistentStore(store =>
            {
                store.UseProperties = true;
                store.UsePostgres(connectionString);
                store.UseSystemTextJsonSerializer();
                store.UseClustering(c =>
                {
                    c.CheckinInterval = options.CheckinInterval;
                    c.CheckinMisfireThreshold = options.CheckinMisfireThreshold;
                });
            });
        });

        if (runsJobs)
        {
            builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        }

        builder.Services.AddSingleton<Edison.Core.Jobs.IJobQueue, QuartzJobQueue>();
        return builder;
    }
}
