import { ACCOUNT_FIELDS, CelAccount, CelDecision, CelMember, CelTaxRecord, DECISION_FIELDS, FUNCTIONS, MEMBER_FIELDS, TAX_RECORD_FIELDS } from './expression-environment.ts';

/**
 * CEL expressions as plain JavaScript closures, built once per rule version from the syntax
 * tree @marcbachmann/cel-js parsed and type-checked (we parse nothing ourselves).
 *
 * Why: the library walks the tree and checks types at every step, which made a program written
 * in expressions slower than the same program on built-in TypeScript facts (issue 14). A closure
 * does only the work the checked expression needs.
 *
 * The rule that keeps it exact: a closure returns a value only where CEL's semantics are plain
 * (same-typed operands, booleans where a boolean is due, int64 without overflow, a field the
 * type declares, a key the map holds). Anything else throws FALL_BACK, and the caller then
 * evaluates the expression with the library, which gives CEL's own value or error (error
 * absorption by && and ||, heterogeneous equality, no_such_key and its message, …). A node the
 * compiler does not know (map literals, `in`, `has`, bytes, uint, …) leaves the whole
 * expression to the library. test/engine/compile-cel.test.ts checks every expression of every
 * program folder against the library on a generated municipality.
 */

export type Closure = (input: Record<string, unknown>) => unknown;
type Fn = (frame: Frame) => unknown;
interface Frame {
  input: Record<string, unknown>;
  /** Comprehension variables, by nesting depth. */
  locals: unknown[];
}
interface Node {
  op: string;
  args: unknown;
}

/** Thrown where CEL's own evaluation must decide; preallocated, so it costs no stack trace. */
const FALL_BACK = Object.freeze({ fallBack: true });
const fallBack = (): never => {
  throw FALL_BACK;
};

/** Compiles a checked syntax tree; undefined when it uses something the compiler leaves to the library. */
export function compileCel(ast: unknown): Closure | undefined {
  try {
    const fn = compile(ast as Node, []);
    return (input) => fn({ input, locals: [] });
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class Unsupported extends Error {}

const INT_MAX = 2n ** 63n - 1n;
const INT_MIN = -(2n ** 63n);
const int = (v: bigint) => (v > INT_MAX || v < INT_MIN ? fallBack() : v);

const ANY = () => true;

/** What a declared type accepts at run time; undefined: a type the compiler does not check. */
function typeTest(type: string): ((v: unknown) => boolean) | undefined {
  if (type === 'dyn') return ANY;
  if (type === 'int') return (v) => typeof v === 'bigint';
  if (type === 'double') return (v) => typeof v === 'number';
  if (type === 'string') return (v) => typeof v === 'string';
  if (type === 'bool') return (v) => typeof v === 'boolean';
  if (type === 'list<dyn>') return Array.isArray;
  if (type === 'list<int>') return (v) => Array.isArray(v) && v.every((x) => typeof x === 'bigint');
  const cls = { Member: CelMember, TaxRecord: CelTaxRecord, Decision: CelDecision, Account: CelAccount }[type];
  return cls && ((v) => v instanceof cls);
}

/** The standard library (expression-environment.ts) with each parameter's and the result's type test. */
const LIBRARY = new Map(
  FUNCTIONS.map((f) => {
    const [, name, params, result] = /^(\w+)\((.*)\): (.+)$/.exec(f.signature)!;
    const tests = params.split(', ').map(typeTest);
    return [name, { handler: f.handler as (...args: unknown[]) => unknown, params: tests, result: typeTest(result) }];
  }),
);

/** Declared fields of the types members, tax records, decisions and accounts are. */
const FIELDS = new Map<unknown, Set<string>>([
  [CelMember, new Set(Object.keys(MEMBER_FIELDS))],
  [CelTaxRecord, new Set(Object.keys(TAX_RECORD_FIELDS))],
  [CelDecision, new Set(Object.keys(DECISION_FIELDS))],
  [CelAccount, new Set(Object.keys(ACCOUNT_FIELDS))],
]);

function compile(node: Node, locals: string[]): Fn {
  const args = node.args as Node[];
  switch (node.op) {
    case 'value':
      return constant(node.args);
    case 'id':
      return variable(node.args as string, locals);
    case '.':
      return field(compile(args[0], locals), node.args as [Node, string]);
    case '[]':
      return index(compile(args[0], locals), compile(args[1], locals));
    case 'list': {
      const items = args.map((a) => compile(a, locals));
      return (f) => items.map((item) => item(f));
    }
    case '?:': {
      const [test, yes, no] = args.map((a) => compile(a, locals));
      return (f) => {
        const t = test(f);
        return t === true ? yes(f) : t === false ? no(f) : fallBack();
      };
    }
    case '&&':
    case '||':
      return logical(node.op, compile(args[0], locals), compile(args[1], locals));
    case '!_': {
      const operand = compile(node.args as Node, locals);
      return (f) => {
        const v = operand(f);
        return typeof v === 'boolean' ? !v : fallBack();
      };
    }
    case '-_': {
      const operand = compile(node.args as Node, locals);
      return (f) => {
        const v = operand(f);
        return typeof v === 'bigint' ? int(-v) : typeof v === 'number' ? -v : fallBack();
      };
    }
    case '==':
    case '!=': {
      const [a, b] = args.map((x) => compile(x, locals));
      const negated = node.op === '!=';
      return (f) => equals(a(f), b(f)) !== negated;
    }
    case '<':
    case '<=':
    case '>':
    case '>=':
      return comparison(node.op, compile(args[0], locals), compile(args[1], locals));
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return arithmetic(node.op, compile(args[0], locals), compile(args[1], locals));
    case 'call':
      return call(node.args as [string, Node[]], locals);
    case 'rcall':
      return receiverCall(node.args as [string, Node, Node[]], locals);
    default:
      throw new Unsupported(node.op);
  }
}

function constant(value: unknown): Fn {
  if (value !== null && !['bigint', 'number', 'string', 'boolean'].includes(typeof value)) throw new Unsupported('literal');
  return () => value;
}

function variable(name: string, locals: string[]): Fn {
  const slot = locals.lastIndexOf(name);
  if (slot >= 0) return (f) => f.locals[slot];
  return (f) => {
    const v = f.input[name];
    return v === undefined ? fallBack() : v;
  };
}

function field(target: Fn, [, name]: [Node, string]): Fn {
  // The types that declare the field, found once here rather than at every read.
  const owners = [...FIELDS].filter(([, fields]) => fields.has(name)).map(([type]) => type);
  return (f) => {
    const t = target(f);
    if (t instanceof Map) {
      // CEL values are never undefined: undefined is a key the map does not hold.
      const v = t.get(name);
      return v === undefined ? fallBack() : v;
    }
    return t !== null && typeof t === 'object' && owners.includes(t.constructor) ? (t as Record<string, unknown>)[name] : fallBack();
  };
}

function index(target: Fn, key: Fn): Fn {
  return (f) => {
    const t = target(f);
    const k = key(f);
    if (Array.isArray(t) && typeof k === 'bigint' && k >= 0n && k < BigInt(t.length)) return t[Number(k)];
    if (t instanceof Map && typeof k === 'string' && t.has(k)) return t.get(k);
    return fallBack();
  };
}

function logical(op: '&&' | '||', left: Fn, right: Fn): Fn {
  // The short circuit is CEL's: `false && x` is false and `true || x` true whatever x is.
  const decisive = op === '||';
  return (f) => {
    const l = left(f);
    if (typeof l !== 'boolean') return fallBack();
    if (l === decisive) return l;
    const r = right(f);
    return typeof r === 'boolean' ? r : fallBack();
  };
}

/** CEL equality where it is plain: same-typed scalars, or null against null or a scalar. */
function equals(a: unknown, b: unknown): boolean {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === tb && ta !== 'object' && ta !== 'function' && ta !== 'undefined') return a === b;
  const scalar = (t: string) => t === 'string' || t === 'bigint' || t === 'boolean' || t === 'number';
  if (a === null) return b === null || scalar(tb) ? b === null : fallBack();
  if (b === null) return scalar(ta) ? false : fallBack();
  return fallBack();
}

function comparison(op: '<' | '<=' | '>' | '>=', left: Fn, right: Fn): Fn {
  // Same-typed strings, ints, doubles or bools; strings by UTF-16 unit, as the library orders
  // them (the CEL specification says by code point).
  const ordered = (a: unknown, b: unknown) => {
    const type = typeof a;
    return type === typeof b && (type === 'string' || type === 'bigint' || type === 'boolean' || (type === 'number' && !Number.isNaN(a) && !Number.isNaN(b)));
  };
  type Scalar = string | number;
  if (op === '<') return (f) => { const a = left(f) as Scalar, b = right(f) as Scalar; return ordered(a, b) ? a < b : fallBack(); };
  if (op === '<=') return (f) => { const a = left(f) as Scalar, b = right(f) as Scalar; return ordered(a, b) ? a <= b : fallBack(); };
  if (op === '>') return (f) => { const a = left(f) as Scalar, b = right(f) as Scalar; return ordered(a, b) ? a > b : fallBack(); };
  return (f) => { const a = left(f) as Scalar, b = right(f) as Scalar; return ordered(a, b) ? a >= b : fallBack(); };
}

function arithmetic(op: '+' | '-' | '*' | '/' | '%', left: Fn, right: Fn): Fn {
  return (f) => {
    const a = left(f);
    const b = right(f);
    if (typeof a === 'bigint' && typeof b === 'bigint') {
      if (op === '+') return int(a + b);
      if (op === '-') return int(a - b);
      if (op === '*') return int(a * b);
      // Division by zero is an error in CEL; BigInt truncates toward zero as CEL does.
      if (b === 0n) return fallBack();
      return op === '/' ? int(a / b) : a % b;
    }
    if (typeof a === 'number' && typeof b === 'number' && op !== '%') {
      return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
    }
    if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
    if (op === '+' && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    return fallBack();
  };
}

function call([name, argNodes]: [string, Node[]], locals: string[]): Fn {
  const args = argNodes.map((a) => compile(a, locals));
  if (name === 'dyn' && args.length === 1) return args[0];
  if (name === 'size' && args.length === 1) return size(args[0]);
  const fn = LIBRARY.get(name);
  if (!fn || fn.params.length !== args.length || fn.params.some((t) => !t) || !fn.result) throw new Unsupported(name);
  const { handler } = fn;
  const params = fn.params as ((v: unknown) => boolean)[];
  const result = fn.result;
  const checked = result === ANY ? (value: unknown) => value : (value: unknown) => (result(value) ? value : fallBack());
  // Every library function takes one or two arguments: no array per call on the hot path.
  if (args.length === 1) {
    const [a] = args;
    const [ta] = params;
    if (ta === ANY) return (f) => checked(handler(a(f)));
    return (f) => {
      const va = a(f);
      return ta(va) ? checked(handler(va)) : fallBack();
    };
  }
  if (args.length === 2) {
    const [a, b] = args;
    const [ta, tb] = params;
    return (f) => {
      const va = a(f);
      const vb = b(f);
      return ta(va) && tb(vb) ? checked(handler(va, vb)) : fallBack();
    };
  }
  return (f) => {
    const values = args.map((a) => a(f));
    return values.every((v, i) => params[i](v)) ? checked(handler(...values)) : fallBack();
  };
}

function size(target: Fn): Fn {
  return (f) => {
    const t = target(f);
    if (Array.isArray(t)) return BigInt(t.length);
    if (typeof t === 'string') return BigInt([...t].length);
    if (t instanceof Map) return BigInt(t.size);
    return fallBack();
  };
}

/** Methods: `size()` and the macros all, exists, exists_one, map and filter. */
function receiverCall([name, receiverNode, argNodes]: [string, Node, Node[]], locals: string[]): Fn {
  const receiver = compile(receiverNode, locals);
  if (name === 'size' && argNodes.length === 0) return size(receiver);
  const macro = ['all', 'exists', 'exists_one', 'map', 'filter'].includes(name);
  const [variableNode, ...bodyNodes] = argNodes;
  if (!macro || variableNode?.op !== 'id' || bodyNodes.length < 1 || bodyNodes.length > (name === 'map' ? 2 : 1)) throw new Unsupported(name);
  const inner = [...locals, variableNode.args as string];
  const slot = inner.length - 1;
  const bodies = bodyNodes.map((b) => compile(b, inner));
  const test = bodies.length === 2 || name !== 'map' ? bodies[0] : undefined;
  const transform = name === 'map' ? bodies[bodies.length - 1] : undefined;
  const passes = (f: Frame) => {
    const t = test!(f);
    return typeof t === 'boolean' ? t : fallBack();
  };
  return (f) => {
    const list = receiver(f);
    if (!Array.isArray(list)) return fallBack();
    if (name === 'map' && !test) {
      const out: unknown[] = new Array(list.length);
      for (let i = 0; i < list.length; i++) {
        f.locals[slot] = list[i];
        out[i] = transform!(f);
      }
      return out;
    }
    if (name === 'map' || name === 'filter') {
      const out: unknown[] = [];
      for (const item of list) {
        f.locals[slot] = item;
        if (test && !passes(f)) continue;
        out.push(transform ? transform(f) : item);
      }
      return out;
    }
    let count = 0;
    for (const item of list) {
      f.locals[slot] = item;
      const p = passes(f);
      if (name === 'all' && !p) return false;
      if (name === 'exists' && p) return true;
      if (p) count++;
    }
    return name === 'all' ? true : name === 'exists' ? false : count === 1;
  };
}
