global using Neon.Tenancy.DbUp.Tests.Infrastructure;
