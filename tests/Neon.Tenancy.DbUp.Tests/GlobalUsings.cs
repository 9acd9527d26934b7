global using Neon.Tenancy.DbUp.Tests.Infrastructure;
global using Neon.Tenancy.Tests.Infrastructure;
