namespace Edison.Core.Llm;

/// <summary>A provider call failure Edison understands; callers store it as a failed result.</summary>
public sealed class LlmCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LlmCallException(LlmErrorClass errorClass, string message, Exception? inner = null) : base(message, inner) => ErrorClass = errorClass;

    /// <summary>Creates an exception with no class (required by the exception pattern).</summary>
    public LlmCallException() : this(LlmErrorClass.Network, "LLM call failed.") { }

    /// <summary>Creates an exception with a message.</summary>
    public LlmCallException(string message) : this(LlmErrorClass.Network, message) { }

    /// <summary>Creates an exception with a message and cause.</summary>
    public LlmCallException(string message, Exception innerException) : this(LlmErrorClass.Network, message, innerException) { }

    /// <summary>The failure's class.</summary>
    public LlmErrorClass ErrorClass { get; }
}
