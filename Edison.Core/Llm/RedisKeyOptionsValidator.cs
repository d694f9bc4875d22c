using Microsoft.Extensions.Options;

namespace Edison.Core.Llm;

[OptionsValidator]
internal sealed partial class RedisKeyOptionsValidator : IValidateOptions<RedisKeyOptions>;
