// What most test files share: the test host and its in-memory network (Http), WireMock's builders, status codes, DI.
global using System.Net;
global using Microsoft.Extensions.DependencyInjection;
global using Neon.Tenancy.Api.Tests.Http;
global using Neon.Tenancy.Tests.Shared;
global using WireMock.RequestBuilders;
global using WireMock.ResponseBuilders;
