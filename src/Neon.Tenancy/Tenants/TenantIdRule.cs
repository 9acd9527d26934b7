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
