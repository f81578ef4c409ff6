/** `promise`'s outcome, or what `onLate` returns (or throws) if it has not settled within ms. It is not cancelled. */
export function settleWithin<T, L>(promise: Promise<T>, ms: number, onLate: () => L): Promise<T | L> {
  return new Promise<T | L>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        resolve(onLate());
      } catch (error) {
        reject(error);
      }
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** `promise`, or a rejection "no answer within ms" if it has not settled by then. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return settleWithin(promise, ms, () => {
    throw new Error(`no answer within ${ms} ms`);
  });
}
