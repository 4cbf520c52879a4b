/**
 * A counting semaphore with a FIFO queue: `acquire()` resolves, in call order, once one of `permits`
 * slots is free, with the function that frees it (idempotent).
 */
export class Semaphore {
  private available: number;
  private readonly waiting: Array<() => void> = [];

  constructor(permits: number) {
    this.available = Math.max(1, Math.floor(permits));
  }

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          const next = this.waiting.shift();
          if (next) next();
          else this.available += 1;
        });
      };
      if (this.available > 0) {
        this.available -= 1;
        grant();
      } else this.waiting.push(grant);
    });
  }
}
