/** Time left if the rest goes at the rate so far: ", ETA 42 s", or "" before there is a rate. */
export function eta(done: number, total: number, elapsedMs: number): string {
  if (done <= 0 || done >= total) return "";
  return `, ETA ${Math.ceil(((total - done) * elapsedMs) / done / 1000)} s`;
}
