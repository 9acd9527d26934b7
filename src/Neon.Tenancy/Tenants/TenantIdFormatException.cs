namespace Neon.Tenancy;

/// <summary>A string was rejected as a <see cref="TenantId"/>. The message names the broken rule and never echoes the value.</summary>
public sealed class TenantIdFormatException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="rule">The broken rule.</param>
    /// <param name="message">A message that names the rule.</param>
    public TenantIdFormatException(TenantIdRule rule, string message)
        : base(message, "value")
    {
        Rule = rule;
    }

    /// <summary>The broken rule.</summary>
    public TenantIdRule Rule { get; }
}
