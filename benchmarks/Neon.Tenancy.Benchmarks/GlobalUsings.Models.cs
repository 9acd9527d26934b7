global using Neon.Tenancy.Api.Models;
