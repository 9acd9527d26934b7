using System.ComponentModel.DataAnnotations;

namespace Neon.Tenancy;

/// <summary>The value is a catalog schema name (<see cref="PostgresCatalogSql.IsValidSchemaName"/>).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class CatalogSchemaNameAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) => PostgresCatalogSql.IsValidSchemaName(value as string);
}
