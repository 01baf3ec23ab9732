// The test globals a core test may use. Mocha provides them under Node; the XS runner
// (tests/xs/) provides the same names inside xsnap.
declare function describe(name: string, body: () => void): void;
declare function it(name: string, body: () => void | Promise<unknown>): void;
declare function beforeEach(body: () => void | Promise<unknown>): void;
declare function afterEach(body: () => void | Promise<unknown>): void;
