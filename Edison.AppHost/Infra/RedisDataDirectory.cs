namespace Edison.AppHost.Infra;

/// Where the local redis-server keeps its snapshot, beside the PostgreSQL data in the user's data folder.
internal static class RedisDataDirectory
{
    public static string Prepare()
    {
        var dir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "edison", "redis");
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return dir;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InfraSetupException($"Cannot write the Redis data folder {dir}: {ex.Message}", ex);
        }
    }
}
