// Node 20 has WebSocket only behind --experimental-websocket and no CloseEvent at all; gloo-net
// dispatches a CloseEvent when a socket is dropped. Newer runtimes have both: this is a no-op.
globalThis.CloseEvent ??= class CloseEvent extends Event {
  constructor(type, init = {}) {
    super(type, init);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
};
