using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Edison.Web.Infrastructure.Uploads;

internal static class UploadRegistration
{
    /// One configured limit for every way a body arrives: Kestrel's request body, multipart forms and single form values.
    public static IHostApplicationBuilder AddUploadLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<UploadOptions>>((kestrel, uploads) =>
            kestrel.Limits.MaxRequestBodySize = uploads.Value.MaxRequestBodyBytes);
        builder.Services.AddOptions<FormOptions>().Configure<IOptions<UploadOptions>>((form, uploads) =>
        {
            form.MultipartBodyLengthLimit = uploads.Value.MaxRequestBodyBytes;
            form.ValueLengthLimit = (int)Math.Min(int.MaxValue, uploads.Value.MaxRequestBodyBytes);
        });
        return builder;
    }
}
