// Instances of one stage in the test process, by name: started (and joined to their group) and
// stopped as a test scales the stage, every one still running stopped when the test ends.
import type { TestContext } from 'node:test';

interface Stoppable {
  joined: Promise<unknown>;
  stop(): Promise<void>;
}

export interface NamedInstances<S extends Stoppable> {
  instances: Map<string, S>;
  /** Starts `name` and waits until it joined its group. */
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
}

export function namedInstances<S extends Stoppable>(
  t: TestContext,
  startOne: (name: string) => Promise<S>,
): NamedInstances<S> {
  const instances = new Map<string, S>();
  const start = async (name: string): Promise<void> => {
    const service = await startOne(name);
    instances.set(name, service);
    await service.joined;
  };
  const stop = async (name: string): Promise<void> => {
    await instances.get(name)!.stop();
    instances.delete(name);
  };
  t.after(async () => {
    for (const name of [...instances.keys()]) await stop(name);
  });
  return { instances, start, stop };
}
