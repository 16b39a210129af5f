/** Splits streamed text into lines, holding back a partial last line until its newline arrives. */
export class LineSplitter {
  private rest = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    let start = 0;
    let newline: number;
    while ((newline = text.indexOf("\n", start)) >= 0) {
      if (newline > start) this.onLine(text.slice(start, newline));
      start = newline + 1;
    }
    this.rest = text.slice(start);
  }

  /** Emits a last line that never got its newline. */
  flush(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = "";
  }
}
