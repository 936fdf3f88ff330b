import { stack } from './stack';

/** Stops the test stack unless KEEP_TEST_STACK=1 (handy while iterating on one spec). */
export default function globalTeardown(): void {
  if (process.env.KEEP_TEST_STACK !== '1') stack('down');
}
