using Edison.Core.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Edison.Core.Accounts;

internal static class AccountsRegistration
{
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ProjectAccess(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new ProjectMembershipService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        services.AddSingleton(sp => new ApiTokenService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        services.AddSingleton(sp => new AuditLogReader(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        services.AddSingleton(sp => new AccountService(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new SetupToken(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp => new InvitationService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<IUserStore<EdisonUser>>(sp => new UserStore(sp.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }
}
