export type Lane = 'high' | 'normal';

export interface LaneSlotsOptions {
  /** Slots the two lanes share. */
  size: number;
  /** Slots only the high lane may use, so it starts at once however busy normal work keeps them. */
  reservedForHigh: number;
  /** When both lanes wait, freed slots go high:normal in these proportions (neither starves). */
  highWeight: number;
  normalWeight: number;
}

/**
 * Work-conserving slots for two lanes: either lane may use every slot the other leaves idle
 * (normal all but the high reservation), a running piece of work is never pre-empted, and when
 * both have work waiting, freed slots alternate by weight, so a flood of high work still lets
 * normal work through at its share.
 */
export class LaneSlots {
  private readonly busy: Record<Lane, number> = { high: 0, normal: 0 };
  private readonly waiting: Record<Lane, (() => void)[]> = { high: [], normal: [] };
  /** Position in the weighted round: the first `highWeight` turns prefer high. */
  private turn = 0;

  constructor(private readonly options: LaneSlotsOptions) {
    if (options.reservedForHigh >= options.size) throw new Error('the reservation must leave normal a slot');
  }

  get inUse(): Record<Lane, number> {
    return { ...this.busy };
  }

  async run<T>(lane: Lane, work: () => Promise<T>): Promise<T> {
    // Another lane's waiters never fit here: a freed slot goes to them before anyone new comes.
    if (this.waiting[lane].length === 0 && this.fits(lane)) this.busy[lane]++;
    else await new Promise<void>((resolve) => this.waiting[lane].push(resolve));
    try {
      return await work();
    } finally {
      this.busy[lane]--;
      this.grant();
    }
  }

  private fits(lane: Lane): boolean {
    const { size, reservedForHigh } = this.options;
    const used = this.busy.high + this.busy.normal;
    // Normal's cap is on its own share: under a high flood it still gets its weighted turns.
    return used < size && (lane === 'high' || this.busy.normal < size - reservedForHigh);
  }

  /** Hands free slots to waiters: by weight while both lanes wait, else to whichever can start. */
  private grant(): void {
    for (;;) {
      const { highWeight, normalWeight } = this.options;
      const ready = (['high', 'normal'] as const).filter((l) => this.waiting[l].length > 0 && this.fits(l));
      if (ready.length === 0) return;
      let lane = ready[0];
      if (ready.length === 2) {
        lane = this.turn < highWeight ? 'high' : 'normal';
        this.turn = (this.turn + 1) % (highWeight + normalWeight);
      }
      this.busy[lane]++;
      this.waiting[lane].shift()!();
    }
  }
}
