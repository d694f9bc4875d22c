using System.ComponentModel.DataAnnotations;

namespace Edison.Web.Infrastructure.Uploads;

/// Settings under Edison:Uploads: the largest request body (form, file upload or API body) the web app reads.
public sealed class UploadOptions
{
    public const string SectionName = "Edison:Uploads";

    /// Dataset imports (20 MB) and experiment bundles fit under the default.
    [Range(1, 4096)]
    public int MaxRequestBodyMegabytes { get; set; } = 20;

    public long MaxRequestBodyBytes => MaxRequestBodyMegabytes * 1024L * 1024L;
}
