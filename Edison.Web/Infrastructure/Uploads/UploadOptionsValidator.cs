using Microsoft.Extensions.Options;

namespace Edison.Web.Infrastructure.Uploads;

[OptionsValidator]
internal sealed partial class UploadOptionsValidator : IValidateOptions<UploadOptions>;
