/**
 * `${...}` expressions of experiment files and object templates: numbers, parameter names, + - * / %,
 * parentheses, unary minus and the functions min, max, ceil, floor, round. Evaluated by a small
 * recursive-descent parser; nothing is ever handed to eval.
 */

export type Value = number | string;
export type Scope = Readonly<Record<string, Value>>;

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** Where in an interpolated structure the expression sits, e.g. "spec.replicas"; "" at the top. */
    readonly path = "",
    /** Set when the failure is a reference to an undefined parameter, so callers can silence follow-on errors. */
    readonly unknownParameter?: string,
  ) {
    super(message);
  }
}

interface NumericFunction {
  minArgs: number;
  maxArgs: number;
  apply(args: number[]): number;
}

const FUNCTIONS: Record<string, NumericFunction> = {
  min: { minArgs: 1, maxArgs: Infinity, apply: (args) => Math.min(...args) },
  max: { minArgs: 1, maxArgs: Infinity, apply: (args) => Math.max(...args) },
  ceil: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.ceil(x!) },
  floor: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.floor(x!) },
  round: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.round(x!) },
};

type Token =
  | { type: "number"; value: number; at: number }
  | { type: "name"; name: string; at: number }
  | { type: "symbol"; symbol: string; at: number }
  | { type: "end"; at: number };

const TOKEN = /(\d+(?:\.\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/%(),])/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  for (;;) {
    while (/\s/.test(source[at] ?? "")) at++;
    if (at >= source.length) break;
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(source);
    if (!match) throw new ExpressionError(`unexpected "${source[at]}" at column ${at + 1} in \${${source}}`);
    if (match[1] !== undefined) tokens.push({ type: "number", value: Number(match[1]), at });
    else if (match[2] !== undefined) tokens.push({ type: "name", name: match[2], at });
    else tokens.push({ type: "symbol", symbol: match[3]!, at });
    at = TOKEN.lastIndex;
  }
  tokens.push({ type: "end", at: source.length });
  return tokens;
}

/** Evaluates the text between `${` and `}`. */
export function evaluate(source: string, scope: Scope): Value {
  const tokens = tokenize(source);
  let position = 0;
  const peek = (): Token => tokens[position]!;
  const next = (): Token => tokens[position++]!;
  const isSymbol = (symbol: string): boolean => {
    const token = peek();
    return token.type === "symbol" && token.symbol === symbol;
  };
  /** The next token if it is one of the symbols, consumed. */
  const takeSymbol = (...symbols: string[]): string | undefined => {
    const symbol = symbols.find(isSymbol);
    if (symbol !== undefined) position++;
    return symbol;
  };
  const fail = (message: string, unknownParameter?: string): never => {
    throw new ExpressionError(`${message} in \${${source}}`, "", unknownParameter);
  };
  const describe = (token: Token): string =>
    token.type === "end"
      ? "the end"
      : `"${token.type === "number" ? token.value : token.type === "name" ? token.name : token.symbol}" at column ${token.at + 1}`;
  const expectSymbol = (symbol: string): void => {
    if (!takeSymbol(symbol)) fail(`expected "${symbol}" but found ${describe(peek())}`);
  };
  const numeric = (value: Value, operation: string): number =>
    typeof value === "number" ? value : fail(`${operation} needs numbers, got "${value}"`);

  const additive = (): Value => {
    let left = multiplicative();
    for (let operator = takeSymbol("+", "-"); operator; operator = takeSymbol("+", "-")) {
      const right = numeric(multiplicative(), `"${operator}"`);
      const leftNumber = numeric(left, `"${operator}"`);
      left = operator === "+" ? leftNumber + right : leftNumber - right;
    }
    return left;
  };

  const multiplicative = (): Value => {
    let left = unary();
    for (let operator = takeSymbol("*", "/", "%"); operator; operator = takeSymbol("*", "/", "%")) {
      const right = numeric(unary(), `"${operator}"`);
      const leftNumber = numeric(left, `"${operator}"`);
      if (operator !== "*" && right === 0) fail("division by zero");
      left =
        operator === "*" ? leftNumber * right : operator === "/" ? leftNumber / right : leftNumber % right;
    }
    return left;
  };

  const unary = (): Value => {
    if (!takeSymbol("-")) return primary();
    return -numeric(unary(), `unary "-"`);
  };

  const primary = (): Value => {
    const token = next();
    if (token.type === "number") return token.value;
    if (token.type === "symbol" && token.symbol === "(") {
      const inner = additive();
      expectSymbol(")");
      return inner;
    }
    if (token.type !== "name") return fail(`expected a number, name or "(" but found ${describe(token)}`);
    if (isSymbol("(")) return call(token.name);
    if (!Object.hasOwn(scope, token.name)) {
      const known = Object.keys(scope).join(", ") || "none";
      return fail(`unknown parameter "${token.name}" (known: ${known})`, token.name);
    }
    return scope[token.name]!;
  };

  const call = (name: string): number => {
    const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name]! : undefined;
    if (!fn) return fail(`unknown function "${name}" (known: ${Object.keys(FUNCTIONS).join(", ")})`);
    expectSymbol("(");
    const args: number[] = [];
    if (!isSymbol(")")) {
      args.push(numeric(additive(), `${name}()`));
      while (takeSymbol(",")) args.push(numeric(additive(), `${name}()`));
    }
    expectSymbol(")");
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      const expected = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `at least ${fn.minArgs}`;
      fail(`${name}() takes ${expected} argument${fn.minArgs === 1 ? "" : "s"}, got ${args.length}`);
    }
    return fn.apply(args);
  };

  if (peek().type === "end") fail("empty expression");
  const result = additive();
  if (peek().type !== "end") fail(`unexpected ${describe(peek())}`);
  if (typeof result === "number" && !Number.isFinite(result)) fail("result is not a finite number");
  return result;
}

const WHOLE_EXPRESSION = /^\$\{([^}]*)\}$/;
// `$${` is an escaped literal `${`; a `${` without its `}` is an error rather than silently kept.
const PLACEHOLDER = /\$\$\{|\$\{([^}]*)\}|\$\{/g;

/**
 * A string that is exactly one `${...}` becomes the expression's value (a number stays a number);
 * any other string has each `${...}` replaced by its value's text.
 */
export function interpolateString(text: string, scope: Scope): Value {
  const whole = WHOLE_EXPRESSION.exec(text);
  if (whole) return evaluate(whole[1]!, scope);
  if (!text.includes("${")) return text;
  return text.replace(PLACEHOLDER, (match, expression: string | undefined) => {
    if (match === "$${") return "${";
    if (expression === undefined) throw new ExpressionError(`unterminated "\${" in "${text}"`);
    return String(evaluate(expression, scope));
  });
}

/** interpolateString applied to every string inside arrays and plain objects (keys are left alone). */
export function interpolate(value: unknown, scope: Scope): unknown {
  return interpolateAt(value, scope, "");
}

function interpolateAt(value: unknown, scope: Scope, path: string): unknown {
  if (typeof value === "string") {
    try {
      return interpolateString(value, scope);
    } catch (error) {
      if (error instanceof ExpressionError)
        throw new ExpressionError(error.message, path, error.unknownParameter);
      throw error;
    }
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateAt(item, scope, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolateAt(item, scope, path ? `${path}.${key}` : key),
      ]),
    );
  }
  return value;
}
