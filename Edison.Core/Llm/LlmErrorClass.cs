namespace Edison.Core.Llm;

/// <summary>Why a call failed, in the words shown to a person and stored in llm_calls.error_class.</summary>
public enum LlmErrorClass
{
    /// <summary>429 after every allowed retry.</summary>
    RateLimited,

    /// <summary>5xx after every allowed retry.</summary>
    ServerError,

    /// <summary>No answer within the attempt timeout, after retries.</summary>
    Timeout,

    /// <summary>The connection failed or was cut.</summary>
    Network,

    /// <summary>401/403: the key is wrong or lacks access.</summary>
    Unauthorized,

    /// <summary>Another 4xx: the request itself is wrong (model name, parameters).</summary>
    BadRequest,

    /// <summary>The provider answered with something that is not its own format.</summary>
    MalformedResponse,

    /// <summary>The credential is disabled.</summary>
    CredentialDisabled,
}
