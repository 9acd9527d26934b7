namespace Neon.Tenancy.Tests.Fleet;

/// <summary>Every case of <see cref="FleetLedgerContract"/> against <see cref="InMemoryFleetLedger"/>.</summary>
public sealed class InMemoryFleetLedgerTests : FleetLedgerContract
{
    private protected override IFleetLedger CreateLedger(TimeProvider time) => new InMemoryFleetLedger(time);
}
