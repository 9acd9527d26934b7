namespace Neon.Tenancy;

/// <summary>
/// The whole state of a <see cref="TenantDataSourceEntry"/> in one <see cref="long"/>, so that the hit path (acquire,
/// and release on close) updates it with one interlocked instruction and takes no lock: bits 0-31 the open count,
/// bits 32-55 the held budget slots, then the retired, handed-out (external) and disposed flags. Immutable: every
/// change returns a new state, which <see cref="TenantDataSourceEntry"/> installs with one compare-exchange helper.
/// </summary>
/// <param name="Word">The packed value, as stored in the entry.</param>
internal readonly record struct TenantDataSourceEntryState(long Word)
{
    /// <summary>The most budget slots one entry can hold (24 bits).</summary>
    public const int MaxHeld = 0xFF_FFFF;

    private const long OpenMask = 0xFFFF_FFFFL;
    private const int HeldShift = 32;
    private const long HeldMask = (long)MaxHeld << HeldShift;
    private const long RetiredFlag = 1L << 56;
    private const long ExternalFlag = 1L << 57;
    private const long DisposedFlag = 1L << 58;

    /// <summary>Connections handed out (or being opened) and not yet closed.</summary>
    public int Open => (int)(Word & OpenMask);

    /// <summary>Slots of the global connection budget the entry holds.</summary>
    public int Held => (int)((Word & HeldMask) >> HeldShift);

    /// <summary>The entry left the cache: it takes no new open and no hand-out, and is disposed once nothing uses it.</summary>
    public bool IsRetired => (Word & RetiredFlag) != 0;

    /// <summary>The data source was handed out (<see cref="ITenantConnectionFactory.GetDataSourceAsync"/>): once retired it lives on for the grace period.</summary>
    public bool IsExternal => (Word & ExternalFlag) != 0;

    /// <summary>The data source is disposed (final).</summary>
    public bool IsDisposed => (Word & DisposedFlag) != 0;

    /// <summary>Retired, not yet disposed, and no connection open: nothing can use the entry any more (a retired entry takes no new open).</summary>
    public bool IsUnusedAfterRetirement => (Word & (RetiredFlag | DisposedFlag | OpenMask)) == RetiredFlag;

    /// <summary>The delta to subtract from the word to undo one open and <paramref name="held"/> slots (for <see cref="Interlocked.Add(ref long, long)"/>).</summary>
    public static long ReleaseDelta(int held) => -(1 + ((long)held << HeldShift));

    /// <summary>One more open, and one more held slot when <paramref name="takeSlot"/>.</summary>
    public TenantDataSourceEntryState WithOneMoreOpen(bool takeSlot) => new(Word + 1 + (takeSlot ? 1L << HeldShift : 0));

    /// <summary>The same state holding <paramref name="held"/> slots.</summary>
    public TenantDataSourceEntryState WithHeld(int held) => new((Word & ~HeldMask) | ((long)held << HeldShift));

    public TenantDataSourceEntryState Retired() => new(Word | RetiredFlag);

    public TenantDataSourceEntryState External() => new(Word | ExternalFlag);

    /// <summary>Disposed, and retired (a disposed entry is never in use again), holding no slot: the caller gives them back.</summary>
    public TenantDataSourceEntryState Disposed() => new((Word | RetiredFlag | DisposedFlag) & ~HeldMask);

    public override string ToString() =>
        $"open {Open}, held {Held}{(IsRetired ? ", retired" : "")}{(IsExternal ? ", handed out" : "")}{(IsDisposed ? ", disposed" : "")}";
}
