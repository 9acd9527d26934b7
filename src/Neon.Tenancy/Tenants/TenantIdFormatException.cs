namespace Neon.Tenancy;

/// <summary>The tenant id rule a rejected value broke (see <see cref="TenantId"/>).</summary>
public enum TenantIdRule
{
    /// <summary>The id is empty or longer than <see cref="TenantId.MaxLength"/> characters.</summary>
    Length = 1,

    /// <summary>The id contains an uppercase letter.</summary>
    Lowercase = 2,

    /// <summary>The id contains a character other than a-z, 0-9 and '-'.</summary>
    AllowedCharacters = 3,

    /// <summary>The id starts or ends with '-'.</summary>
    StartAndEnd = 4,

    /// <summary>The id contains "--".</summary>
    ConsecutiveHyphens = 5,
}

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
