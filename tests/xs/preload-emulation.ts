/*
 * The XS linker's preload, emulated inside xsnap, so the core's tests run in the world the
 * device boots into rather than in a bare XS whose built-ins anyone may patch.
 *
 * What xsl does after it has run the preloaded modules' bodies (xs/tools/xsl.c fxFreezeBuiltIns,
 * xslSlot.c fxPrepareHeap, fxPrepareInstance, fxCheckAliases), and what this file does instead:
 * - Freezes the built-ins: every built-in prototype (NativeErrors, iterators, generators and the
 *   typed arrays' included), Math, JSON, Reflect, Atomics, and every built-in function. Here: a
 *   deep freeze of the graph reachable from the standard globals and the hidden intrinsics.
 * - Freezes every function of the preloaded heap, class constructors included (so static class
 *   properties become read-only), and the `prototype` of every constructor. A generator function
 *   is no constructor: its `prototype` stays mutable. Here: the same, for every function
 *   reachable from a preloaded module's exports.
 * - Makes preloaded Map, Set, WeakMap, WeakSet, FinalizationRegistry, ArrayBuffer, DataView and
 *   TypedArray instances read-only (their mutators throw TypeError, with XS's messages), and
 *   freezes preloaded WeakRef, Promise and RegExp instances. A preloaded object also cannot be
 *   a WeakMap key or a WeakSet value at run time. Here: each such instance's mutators are
 *   shadowed by own methods that throw, then it is frozen; WeakMap and WeakSet methods refuse a
 *   preloaded key. Not emulated: an indexed write into a preloaded TypedArray (XS throws; plain
 *   JavaScript cannot intercept it without replacing the object), a mutator reached through
 *   `Map.prototype.set.call(...)`, and any object reachable only through a closure or a private
 *   field (tests/node/preload-lint.ts checks module-level state statically).
 * - Warns "### warning: <module>: <path>: not frozen" for every other object reachable from a
 *   module's exports that is not frozen: it stays writable, aliased in RAM. Here: the same walk
 *   (own properties, accessors' functions without calling them, [[Prototype]]), each object
 *   reported once, by the first path that reached it. The run fails on each finding.
 *
 * Then canary() proves the emulation holds: if it stopped freezing, the run says so.
 * Runs inside XS: plain ECMAScript only, checked by tsconfig.core.json like the core.
 */

export interface PreloadFinding {
  module: string;
  /** The way xsl names the object: export, then ".property", "[index]", ".get name", ".__proto__". */
  path: string;
  /** "not frozen" as xsl warns; "threw" when the module body itself failed (xsl fails the build). */
  kind: "not frozen" | "threw";
  message?: string;
}

export interface CanaryResult {
  what: string;
  ok: boolean;
  /** What happened, e.g. the TypeError XS threw. */
  saw: string;
}

export interface PreloadReport {
  modules: string[];
  /** Functions of the preloaded modules frozen (class constructors included). */
  functions: number;
  /** Constructors' `prototype` objects frozen. */
  prototypes: number;
  /** Instances made read-only or frozen by their kind (Map, Set, TypedArray, ...). */
  readOnly: number;
  /** Built-in objects frozen. */
  builtIns: number;
  findings: PreloadFinding[];
  canary: CanaryResult[];
  ms: number;
}

export type PreloadList = ReadonlyArray<readonly [name: string, load: () => Promise<object>]>;

type Fn = (...args: unknown[]) => unknown;

// Captured before anything is guarded or frozen, so the emulation's own bookkeeping never goes
// through a guarded method.
const { apply, getPrototypeOf, ownKeys, defineProperty, getOwnPropertyDescriptor } = Reflect;
const { freeze, isFrozen, preventExtensions } = Object;
const setAdd = Set.prototype.add as Fn;
const setHas = Set.prototype.has as Fn;
const weakSetHas = WeakSet.prototype.has as Fn;
const getter = (target: object, key: PropertyKey): Fn => getOwnPropertyDescriptor(target, key)!.get as Fn;
const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayTag = getter(TypedArrayPrototype, Symbol.toStringTag);
const typedArrayBuffer = getter(TypedArrayPrototype, "buffer");
const dataViewBuffer = getter(DataView.prototype, "buffer");
const mapSize = getter(Map.prototype, "size");
const setSize = getter(Set.prototype, "size");
const arrayBufferByteLength = getter(ArrayBuffer.prototype, "byteLength");
const regExpSource = getter(RegExp.prototype, "source");
const weakMapHas = WeakMap.prototype.has as Fn;
const weakRefDeref = WeakRef.prototype.deref as Fn;
const registryUnregister = FinalizationRegistry.prototype.unregister as Fn;
const now = () => Date.now();

/** A set of objects. Strong, not weak: what it holds stays "in flash" for the whole run anyway. */
class ObjectSet {
  readonly #set = new Set<object>();
  add(o: object): void {
    apply(setAdd, this.#set, [o]);
  }
  has(o: unknown): boolean {
    return apply(setHas, this.#set, [o]) as boolean;
  }
}

/** Every object the preloaded heap holds: built-ins and what the modules' exports reach. */
const inFlash = new ObjectSet();
/** Built-ins already frozen: the module walk never reports them, nor walks them again. */
const builtIns = new ObjectSet();

function isObject(v: unknown): v is object {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

/** A brand check that calls a built-in's own getter or method, never user code. */
function brand(fn: Fn, v: object, args: unknown[] = []): boolean {
  try {
    apply(fn, v, args);
    return true;
  } catch {
    return false;
  }
}

type Kind = "Map" | "Set" | "WeakMap" | "WeakSet" | "WeakRef" | "FinalizationRegistry" | "ArrayBuffer" | "DataView" | "TypedArray" | "Promise" | "RegExp";

/** The kinds fxPrepareHeap prepares (freezes) whatever the module did; undefined for the rest. */
function kindOf(v: object): Kind | undefined {
  if (brand(mapSize, v)) return "Map";
  if (brand(setSize, v)) return "Set";
  if (brand(weakMapHas, v, [{}])) return "WeakMap";
  if (brand(weakSetHas, v, [{}])) return "WeakSet";
  if (brand(weakRefDeref, v)) return "WeakRef";
  if (brand(registryUnregister, v, [{}])) return "FinalizationRegistry";
  if (brand(arrayBufferByteLength, v)) return "ArrayBuffer";
  if (brand(dataViewBuffer, v)) return "DataView";
  if (apply(typedArrayTag, v, []) !== undefined) return "TypedArray";
  if (brand(regExpSource, v) && v !== RegExp.prototype) return "RegExp";
  if (v instanceof Promise) return "Promise";
  return undefined;
}

function isConstructor(fn: Fn): boolean {
  try {
    // Reflect.construct checks newTarget is a constructor, then constructs the empty class: fn never runs.
    Reflect.construct(class {}, [], fn);
    return true;
  } catch {
    return false;
  }
}

/** XS's mutators per read-only kind (xsMapSet.c, xsDataView.c: the XS_MUTABLE checks). */
const MUTATORS: Readonly<Record<string, { proto: object; names: readonly string[]; message: string }>> = freeze({
  Map: { proto: Map.prototype, names: ["set", "delete", "clear", "getOrInsert", "getOrInsertComputed"], message: "this: read-only Map instance" },
  Set: { proto: Set.prototype, names: ["add", "delete", "clear"], message: "this: read-only Set instance" },
  WeakMap: { proto: WeakMap.prototype, names: ["set", "delete", "getOrInsert", "getOrInsertComputed"], message: "this: read-only WeakMap instance" },
  WeakSet: { proto: WeakSet.prototype, names: ["add", "delete"], message: "this: read-only WeakSet instance" },
  FinalizationRegistry: { proto: FinalizationRegistry.prototype, names: ["register", "unregister", "cleanupSome"], message: "this: read-only FinalizationRegistry instance" },
  ArrayBuffer: { proto: ArrayBuffer.prototype, names: ["resize", "transfer", "transferToFixedLength"], message: "ArrayBuffer instance is read-only" },
  TypedArray: { proto: TypedArrayPrototype, names: ["copyWithin", "fill", "reverse", "set", "sort"], message: "read-only buffer" },
  DataView: { proto: DataView.prototype, names: ownKeys(DataView.prototype).filter((k): k is string => typeof k === "string" && k.startsWith("set")), message: "read-only buffer" },
});

function refusal(owner: string, name: string, message: string): Fn {
  // A method, like the built-in it stands for: no prototype, not a constructor.
  return { [name](): never { throw new TypeError(`${owner}.prototype.${name}: ${message}`); } }[name];
}

const madeReadOnly = new ObjectSet();

/**
 * Makes one preloaded instance read-only: its kind's mutators are shadowed by own methods that
 * throw XS's TypeError. Shadowed per instance rather than guarded on the prototypes, so run-time
 * instances keep the untouched built-ins (wrapping Map.prototype.set and the typed arrays'
 * methods made the whole run seven times slower). `Map.prototype.set.call(preloaded, ...)`
 * escapes it; nothing in the core calls a mutator that way.
 */
function makeReadOnly(kind: string, instance: object): void {
  if (madeReadOnly.has(instance)) return; // a buffer under two views
  madeReadOnly.add(instance);
  const { proto, names, message } = MUTATORS[kind];
  for (const name of names) if (typeof getOwnPropertyDescriptor(proto, name)?.value === "function") defineProperty(instance, name, { value: refusal(kind, name, message) });
}

/**
 * XS also refuses a preloaded object as a WeakMap key or WeakSet value at run time (the key is
 * marked: fxCheckWeakMapKey). That needs the prototypes' methods guarded; they are called rarely.
 */
function guardWeakKeys(): void {
  for (const [kind, what] of [["WeakMap", "key"], ["WeakSet", "value"]] as const) {
    const { proto, names } = MUTATORS[kind];
    for (const name of names) {
      const desc = getOwnPropertyDescriptor(proto, name);
      const original = desc?.value as Fn | undefined;
      if (typeof original !== "function") continue; // not in this XS
      const call = Function.prototype.call.bind(original) as (self: unknown, a: unknown, b: unknown) => unknown;
      const guarded = {
        // Two parameters and no rest array: no allocation per call. Every guarded method takes at most two.
        [name](this: unknown, a: unknown, b: unknown): unknown {
          if (inFlash.has(a)) throw new TypeError(`${kind}.prototype.${name}: ${what}: read-only`);
          return call(this, a, b);
        },
      }[name];
      defineProperty(guarded, "length", { value: original.length });
      defineProperty(proto, name, { ...desc, value: guarded });
    }
  }
}

const STANDARD_GLOBALS = [
  // ECMAScript
  "Object", "Function", "Array", "Number", "Boolean", "String", "Symbol", "BigInt", "Date", "RegExp", "Promise", "Proxy",
  "Error", "AggregateError", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "SuppressedError",
  "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Iterator", "DisposableStack", "AsyncDisposableStack",
  "ArrayBuffer", "SharedArrayBuffer", "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
  "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
  "Math", "JSON", "Reflect", "Atomics",
  "eval", "isFinite", "isNaN", "parseFloat", "parseInt", "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "unescape",
  // XS's own globals a Moddable app also has
  "Compartment", "ModuleSource", "trace",
];

/** The intrinsics no global names: %TypedArray%, the iterator and generator prototypes, ... */
function hiddenIntrinsics(): unknown[] {
  const args = (function () {
    return arguments;
  })();
  return [
    getPrototypeOf(Uint8Array), // %TypedArray%
    getPrototypeOf(function* () {}), // %GeneratorFunction.prototype%; its prototype, constructor and %IteratorPrototype% follow
    getPrototypeOf(async function () {}),
    getPrototypeOf(async function* () {}), // and %AsyncGeneratorPrototype%, %AsyncIteratorPrototype%
    getPrototypeOf(args), // XS gives arguments objects prototypes of their own
    getPrototypeOf([][Symbol.iterator]()),
    getPrototypeOf(new Map()[Symbol.iterator]()),
    getPrototypeOf(new Set()[Symbol.iterator]()),
    getPrototypeOf(""[Symbol.iterator]()),
    getPrototypeOf(/x/[Symbol.matchAll]("x")),
  ];
}

/** fxFreezeBuiltIns and the function half of fxPrepareHeap, for the built-ins: a deep freeze. */
function freezeBuiltIns(): number {
  const host = globalThis as unknown as Record<string, unknown>;
  const stack: unknown[] = STANDARD_GLOBALS.filter((name) => name in host).map((name) => host[name]);
  stack.push(...hiddenIntrinsics());
  let count = 0;
  while (stack.length) {
    const o = stack.pop();
    if (!isObject(o) || builtIns.has(o) || o === globalThis) continue;
    builtIns.add(o);
    inFlash.add(o);
    freeze(o);
    count++;
    stack.push(getPrototypeOf(o));
    for (const key of ownKeys(o)) {
      const desc = getOwnPropertyDescriptor(o, key)!;
      stack.push(desc.value, desc.get, desc.set);
    }
  }
  return count;
}

function keyPath(owner: object, key: PropertyKey): string {
  if (typeof key === "symbol") return `[${key.description ?? "symbol"}]`;
  if (Array.isArray(owner) && String(Number(key)) === key) return `[${key}]`;
  return `.${key}`;
}

interface Counts {
  functions: number;
  prototypes: number;
  readOnly: number;
}

/**
 * fxPrepareHeap and fxCheckAliases over what `exports` reaches: freezes functions and their
 * constructors' prototypes, makes the read-only kinds read-only, and reports the rest unfrozen.
 * `seen` spans every module, as xsl reports an object once.
 */
function preloadExports(module: string, exports: Record<string, unknown>, seen: ObjectSet, findings: PreloadFinding[], counts: Counts): void {
  const visit = (value: unknown, path: string): void => {
    if (!isObject(value) || builtIns.has(value) || seen.has(value)) return;
    seen.add(value);
    inFlash.add(value);
    if (typeof value === "function") {
      freeze(value);
      counts.functions++;
      const proto = getOwnPropertyDescriptor(value, "prototype");
      if (proto && "value" in proto && isObject(proto.value) && isConstructor(value as Fn)) {
        freeze(proto.value);
        counts.prototypes++;
      }
    } else {
      const kind = kindOf(value);
      if (kind) {
        counts.readOnly++;
        if (kind in MUTATORS) makeReadOnly(kind, value);
        if (kind === "TypedArray" || kind === "DataView") {
          // XS marks the buffer itself read-only; a view made over it later is refused too (not emulated).
          const buffer = apply(kind === "TypedArray" ? typedArrayBuffer : dataViewBuffer, value, []) as object;
          makeReadOnly("ArrayBuffer", buffer);
          freeze(buffer);
        }
        // A non-empty typed array cannot be frozen; its elements stay writable here (not on XS).
        if (kind === "TypedArray") preventExtensions(value);
        else freeze(value);
      } else if (!isFrozen(value)) findings.push({ module, path, kind: "not frozen" });
    }
    // xsl walks the prototype first, then the own properties.
    visit(getPrototypeOf(value), `${path}.__proto__`);
    for (const key of ownKeys(value)) {
      const desc = getOwnPropertyDescriptor(value, key)!;
      const at = `${path}${keyPath(value, key)}`;
      if ("value" in desc) visit(desc.value, at);
      else {
        visit(desc.get, `${path}.get ${String(key)}`);
        visit(desc.set, `${path}.set ${String(key)}`);
      }
    }
  };
  for (const name of ownKeys(exports)) {
    if (typeof name !== "string") continue;
    let value: unknown;
    try {
      // The bundler's namespace object answers each export through a getter: that getter is the
      // binding itself, not user code, so reading it is what the linker does.
      value = exports[name];
    } catch {
      continue; // an export still in its temporal dead zone holds nothing yet
    }
    visit(value, name);
  }
}

function describeError(e: unknown): string {
  if (isObject(e) && "message" in e) {
    const { name, message } = e as { name?: unknown; message?: unknown };
    return `${typeof name === "string" ? name : "Error"}: ${String(message)}`;
  }
  return `a non-Error was thrown: ${String(e)}`;
}

/** Runs `fn` and says what it threw; ok when it threw a TypeError. */
function expectTypeError(what: string, fn: () => unknown): CanaryResult {
  try {
    fn();
    return { what, ok: false, saw: "no exception: preloading would have refused this" };
  } catch (e) {
    return { what, ok: e instanceof TypeError, saw: describeError(e) };
  }
}

/** Proof that the world is the preloaded one: what the device refuses, refused here too. */
function canary(): CanaryResult[] {
  class CanaryError extends Error {
    constructor() {
      super("canary");
      this.name = "CanaryError";
    }
  }
  class Registry {
    static count = 0;
  }
  const table = new Map([["one", 1]]);
  const loose = { n: 1 };
  function* lines(): Generator<string> {
    yield "line";
  }
  const frozen = freeze({ table, Registry, lines, loose, nested: freeze({ ok: freeze([1]) }) });
  const findings: PreloadFinding[] = [];
  preloadExports("(canary)", { frozen }, new ObjectSet(), findings, { functions: 0, prototypes: 0, readOnly: 0 });
  const reported = findings.map((f) => f.path).join(", ");
  const expected = "frozen.lines.prototype, frozen.loose";
  return [
    expectTypeError("an Error subclass that sets this.name in its constructor throws", () => new CanaryError()),
    expectTypeError("a write to a property of Object.prototype throws", () => {
      (Object.prototype as Record<string, unknown>).canary = 1;
    }),
    expectTypeError("a write to Array.prototype's methods throws", () => {
      (Array.prototype as unknown as Record<string, unknown>).push = () => 0;
    }),
    expectTypeError("set() on a preloaded Map throws", () => table.set("two", 2)),
    expectTypeError("a write to a preloaded class's static property throws", () => {
      Registry.count = 1;
    }),
    expectTypeError("a WeakMap keyed by a preloaded object throws", () => new WeakMap<object, number>().set(Registry, 1)),
    { what: "an unfrozen object and a generator's prototype are reported as xsl warns", ok: reported === expected, saw: `reported: ${reported || "nothing"}; expected: ${expected}` },
    { what: "a runtime Map stays writable", ok: new Map<string, number>().set("a", 1).size === 1, saw: "new Map().set()" },
  ];
}

/**
 * Loads the preloaded modules in order (their bodies run now, as at build time), then freezes
 * the world as xsl leaves it. Everything loaded afterwards (the tests, their support code) runs
 * the way the app's own modules run at boot.
 */
export async function preload(list: PreloadList): Promise<PreloadReport> {
  const started = now();
  const findings: PreloadFinding[] = [];
  const loaded: [string, Record<string, unknown>][] = [];
  for (const [name, load] of list) {
    try {
      loaded.push([name, (await load()) as Record<string, unknown>]);
    } catch (e) {
      findings.push({ module: name, path: "(module body)", kind: "threw", message: describeError(e) });
    }
  }
  guardWeakKeys();
  const builtInCount = freezeBuiltIns();
  const counts: Counts = { functions: 0, prototypes: 0, readOnly: 0 };
  const seen = new ObjectSet();
  for (const [name, exports] of loaded) preloadExports(name, exports, seen, findings, counts);
  return { modules: list.map(([name]) => name), ...counts, builtIns: builtInCount, findings, canary: canary(), ms: now() - started };
}
