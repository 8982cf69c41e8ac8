// json-stream-stringify 3.1.7 for debci-bridge's Debian package, which installs it as
// /usr/share/debci-bridge/node_modules/json-stream-stringify/. Bundled from node_modules/ by `npm run vendor`
// (vendor/build.mjs, esbuild 0.28.2): do not edit; test/vendor.test.ts fails when it differs
// from a fresh bundle. It holds, with their licences below:
//   json-stream-stringify 3.1.7 (MIT)

/* json-stream-stringify 3.1.7, node_modules/json-stream-stringify/:

The MIT License

Copyright (c) 2016 Faleij <faleij@gmail.com>

Permission is hereby granted, free of charge,
to any person obtaining a copy of this software and
associated documentation files (the "Software"), to
deal in the Software without restriction, including
without limitation the rights to use, copy, modify,
merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom
the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice
shall be included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES
OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR
ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
*/

// node_modules/json-stream-stringify/lib/esm/index.mjs
import { Readable } from "stream";
function _defineProperty(e, r, t) {
  return (r = _toPropertyKey(r)) in e ? Object.defineProperty(e, r, {
    value: t,
    enumerable: true,
    configurable: true,
    writable: true
  }) : e[r] = t, e;
}
function _toPrimitive(t, r) {
  if ("object" != typeof t || !t) return t;
  var e = t[Symbol.toPrimitive];
  if (void 0 !== e) {
    var i = e.call(t, r || "default");
    if ("object" != typeof i) return i;
    throw new TypeError("@@toPrimitive must return a primitive value.");
  }
  return ("string" === r ? String : Number)(t);
}
function _toPropertyKey(t) {
  var i = _toPrimitive(t, "string");
  return "symbol" == typeof i ? i : i + "";
}
var _global;
var rxEscapable = /[\\"\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0604\u070f\u17b4\u17b5\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff0-\uffff]/g;
var meta = {
  "\b": "\\b",
  "	": "\\t",
  "\n": "\\n",
  "\f": "\\f",
  "\r": "\\r",
  '"': '\\"',
  "\\": "\\\\"
};
function isReadableStream(value) {
  return typeof value.read === "function" && typeof value.pause === "function" && typeof value.resume === "function" && typeof value.pipe === "function" && typeof value.once === "function" && typeof value.removeListener === "function";
}
var Types = /* @__PURE__ */ (function(Types2) {
  Types2[Types2["Array"] = 0] = "Array";
  Types2[Types2["Object"] = 1] = "Object";
  Types2[Types2["ReadableString"] = 2] = "ReadableString";
  Types2[Types2["ReadableObject"] = 3] = "ReadableObject";
  Types2[Types2["Primitive"] = 4] = "Primitive";
  Types2[Types2["Promise"] = 5] = "Promise";
  return Types2;
})(Types || {});
function getType(value) {
  if (!value) return Types.Primitive;
  if (typeof value.then === "function") return Types.Promise;
  if (isReadableStream(value)) return value._readableState.objectMode ? Types.ReadableObject : Types.ReadableString;
  if (Array.isArray(value)) return Types.Array;
  if (typeof value === "object" || value instanceof Object) return Types.Object;
  return Types.Primitive;
}
function escapeString(string) {
  return string.replace(rxEscapable, (a) => {
    const c = meta[a];
    return typeof c === "string" ? c : `\\u${a.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
var primitiveToJSON;
if (((_global = global) === null || _global === void 0 || (_global = _global.JSON) === null || _global === void 0 ? void 0 : _global.stringify) instanceof Function) {
  try {
    if (JSON.stringify(global.BigInt ? global.BigInt("123") : "") !== "123") throw new Error();
    primitiveToJSON = JSON.stringify;
  } catch (err) {
    primitiveToJSON = (value) => typeof value === "bigint" ? String(value) : JSON.stringify(value);
  }
} else {
  primitiveToJSON = (value) => {
    switch (typeof value) {
      case "string":
        return `"${escapeString(value)}"`;
      case "number":
        return Number.isFinite(value) ? String(value) : "null";
      case "bigint":
        return String(value);
      case "boolean":
        return value ? "true" : "false";
      case "object":
        if (!value) {
          return "null";
        }
      // eslint-disable-next-line no-fallthrough
      default:
        throw Object.assign(new Error(`Not a primitive "${typeof value}".`), {
          value
        });
    }
  };
}
var cache = /* @__PURE__ */ new Map();
function quoteString(string) {
  const useCache = string.length < 1e4;
  if (useCache && cache.has(string)) {
    return cache.get(string);
  }
  const str = primitiveToJSON(String(string));
  if (useCache) cache.set(string, str);
  return str;
}
function readAsPromised(stream, size) {
  var _readableState;
  const value = stream.read(size);
  if (value === null && !(stream.readableEnded || (_readableState = stream._readableState) !== null && _readableState !== void 0 && _readableState.ended)) {
    return new Promise((resolve, reject) => {
      const endListener = () => resolve(null);
      stream.once("end", endListener);
      stream.once("error", reject);
      stream.once("readable", () => {
        stream.removeListener("end", endListener);
        stream.removeListener("error", reject);
        readAsPromised(stream, size).then(resolve, reject);
      });
    });
  }
  return Promise.resolve(value);
}
var ReadState = /* @__PURE__ */ (function(ReadState2) {
  ReadState2[ReadState2["Inactive"] = 0] = "Inactive";
  ReadState2[ReadState2["Reading"] = 1] = "Reading";
  ReadState2[ReadState2["ReadMore"] = 2] = "ReadMore";
  ReadState2[ReadState2["Consumed"] = 3] = "Consumed";
  return ReadState2;
})(ReadState || {});
var JsonStreamStringify = class extends Readable {
  constructor(input, replacer, spaces, cycle = false, bufferSize = 512) {
    super({
      encoding: "utf8"
    });
    this.cycle = cycle;
    this.bufferSize = bufferSize;
    _defineProperty(this, "item", void 0);
    _defineProperty(this, "indent", void 0);
    _defineProperty(this, "root", void 0);
    _defineProperty(this, "include", void 0);
    _defineProperty(this, "replacer", void 0);
    _defineProperty(this, "visited", void 0);
    _defineProperty(this, "objectItem", void 0);
    _defineProperty(this, "buffer", "");
    _defineProperty(this, "bufferLength", 0);
    _defineProperty(this, "pushCalled", false);
    _defineProperty(this, "readSize", 0);
    _defineProperty(this, "prePush", void 0);
    _defineProperty(this, "readState", ReadState.Inactive);
    const spaceType = typeof spaces;
    if (spaceType === "number") {
      this.indent = " ".repeat(spaces);
    } else if (spaceType === "string") {
      this.indent = spaces;
    }
    const replacerType = typeof replacer;
    if (replacerType === "object") {
      this.include = replacer;
    } else if (replacerType === "function") {
      this.replacer = replacer;
    }
    this.visited = cycle ? /* @__PURE__ */ new WeakMap() : [];
    this.root = {
      value: {
        "": input
      },
      depth: 0,
      indent: "",
      path: []
    };
    this.setItem(input, this.root, "");
  }
  setItem(value, parent, key = "") {
    if (value && typeof value === "object" && typeof value.toJSON === "function") {
      value = value.toJSON(key);
    }
    if (this.replacer) {
      value = this.replacer.call(parent.value, key, value);
    }
    if (value instanceof Function || typeof value === "symbol") {
      value = void 0;
    }
    const type = getType(value);
    let path;
    if (!this.cycle && type !== Types.Primitive) {
      if (this.visited.some((v) => v === value)) {
        this.destroy(Object.assign(new Error("Converting circular structure to JSON"), {
          value,
          key
        }));
        return;
      }
      this.visited.push(value);
    } else if (this.cycle && type !== Types.Primitive) {
      path = this.visited.get(value);
      if (path) {
        this._push(`{"$ref":"$${path.map((v) => `[${Number.isInteger(v) ? v : escapeString(quoteString(v))}]`).join("")}"}`);
        this.item = parent;
        return;
      }
      path = parent === this.root ? [] : parent.path.concat(key);
      this.visited.set(value, path);
    }
    if (type === Types.Object) {
      this.setObjectItem(value, parent);
    } else if (type === Types.Array) {
      this.setArrayItem(value, parent);
    } else if (type === Types.Primitive) {
      if (parent !== this.root && typeof key === "string") {
        if (value === void 0) ;
        else {
          this._push(primitiveToJSON(value));
        }
      } else if (value === void 0 && typeof key === "number") {
        this._push("null");
      } else if (value === void 0) ;
      else {
        this._push(primitiveToJSON(value));
      }
      this.item = parent;
      return;
    } else if (type === Types.Promise) {
      this.setPromiseItem(value, parent, key);
    } else if (type === Types.ReadableString) {
      this.setReadableStringItem(value, parent);
    } else if (type === Types.ReadableObject) {
      this.setReadableObjectItem(value, parent);
    }
    this.item.value = value;
    this.item.depth = parent.depth + 1;
    if (this.indent) this.item.indent = this.indent.repeat(this.item.depth);
    this.item.path = path;
  }
  setReadableStringItem(input, parent) {
    var _readableState2, _readableState3;
    if (input.readableEnded || (_readableState2 = input._readableState) !== null && _readableState2 !== void 0 && _readableState2.endEmitted) {
      this.emit("error", new Error("Readable Stream has ended before it was serialized. All stream data have been lost"), input, parent.path);
    } else if (input.readableFlowing || (_readableState3 = input._readableState) !== null && _readableState3 !== void 0 && _readableState3.flowing) {
      input.pause();
      this.emit("error", new Error("Readable Stream is in flowing mode, data may have been lost. Trying to pause stream."), input, parent.path);
    }
    const that = this;
    this.prePush = '"';
    this.item = {
      type: "readable string",
      async read(size) {
        try {
          const data = await readAsPromised(input, size);
          if (data === null) {
            that._push('"');
            that.item = parent;
            that.unvisit(input);
            return;
          }
          if (data) that._push(escapeString(data.toString()));
        } catch (err) {
          that.emit("error", err);
          that.destroy();
        }
      }
    };
  }
  setReadableObjectItem(input, parent) {
    var _readableState4, _readableState5;
    if (input.readableEnded || (_readableState4 = input._readableState) !== null && _readableState4 !== void 0 && _readableState4.endEmitted) {
      this.emit("error", new Error("Readable Stream has ended before it was serialized. All stream data have been lost"), input, parent.path);
    } else if (input.readableFlowing || (_readableState5 = input._readableState) !== null && _readableState5 !== void 0 && _readableState5.flowing) {
      input.pause();
      this.emit("error", new Error("Readable Stream is in flowing mode, data may have been lost. Trying to pause stream."), input, parent.path);
    }
    const that = this;
    this._push("[");
    let first = true;
    let i = 0;
    const item = {
      type: "readable object",
      async read() {
        try {
          let out = "";
          const data = await readAsPromised(input);
          if (data === null) {
            if (i && that.indent) {
              out += `
${parent.indent}`;
            }
            out += "]";
            that._push(out);
            that.item = parent;
            that.unvisit(input);
            return;
          }
          if (first) first = false;
          else out += ",";
          if (that.indent) out += `
${item.indent}`;
          that.prePush = out;
          that.setItem(data, item, i);
          i += 1;
        } catch (err) {
          that.emit("error", err);
          that.destroy();
        }
      }
    };
    this.item = item;
  }
  setPromiseItem(input, parent, key) {
    const that = this;
    let read = false;
    this.item = {
      async read() {
        if (read) return;
        try {
          read = true;
          that.setItem(await input, parent, key);
        } catch (err) {
          that.emit("error", err);
          that.destroy();
        }
      }
    };
  }
  setArrayItem(input, parent) {
    let i = 0;
    const len = input.length;
    let first = true;
    const that = this;
    const item = {
      read() {
        let out = "";
        let wasFirst = false;
        if (first) {
          first = false;
          wasFirst = true;
          if (!len) {
            that._push("[]");
            that.unvisit(input);
            that.item = parent;
            return;
          }
          out += "[";
        }
        const entry = input[i];
        if (i === len) {
          if (that.indent) out += `
${parent.indent}`;
          out += "]";
          that._push(out);
          that.item = parent;
          that.unvisit(input);
          return;
        }
        if (!wasFirst) out += ",";
        if (that.indent) out += `
${item.indent}`;
        that._push(out);
        that.setItem(entry, item, i);
        i += 1;
      }
    };
    this.item = item;
  }
  unvisit(item) {
    if (this.cycle) return;
    const _i = this.visited.indexOf(item);
    if (_i > -1) this.visited.splice(_i, 1);
  }
  setObjectItem(input, parent = void 0) {
    const keys = Object.keys(input);
    let i = 0;
    const len = keys.length;
    let first = true;
    const that = this;
    const {
      include
    } = this;
    let hasItems = false;
    let key;
    const item = {
      read() {
        var _include$indexOf;
        if (i === 0) that._push("{");
        if (i === len) {
          that.objectItem = void 0;
          if (!hasItems) {
            that._push("}");
          } else {
            that._push(`${that.indent ? `
${parent.indent}` : ""}}`);
          }
          that.item = parent;
          that.unvisit(input);
          return;
        }
        key = keys[i];
        if ((include === null || include === void 0 || (_include$indexOf = include.indexOf) === null || _include$indexOf === void 0 ? void 0 : _include$indexOf.call(include, key)) === -1) {
          i += 1;
          return;
        }
        that.objectItem = item;
        i += 1;
        that.setItem(input[key], item, key);
      },
      write() {
        const out = `${hasItems && !first ? "," : ""}${item.indent ? `
${item.indent}` : ""}${quoteString(key)}:${that.indent ? " " : ""}`;
        first = false;
        hasItems = true;
        that.objectItem = void 0;
        return out;
      }
    };
    this.item = item;
  }
  _push(data) {
    const prefix = this.objectItem ? this.objectItem.write() : "";
    if (this.prePush && (prefix.length || data.length)) {
      this.buffer += prefix + this.prePush;
      this.prePush = void 0;
    } else {
      this.buffer += prefix;
    }
    this.buffer += data;
    if (this.buffer.length >= this.bufferSize) {
      this.pushCalled = !this.push(this.buffer);
      this.buffer = "";
      this.bufferLength = 0;
      return false;
    }
    return true;
  }
  async _read(size) {
    if (this.readState === ReadState.Consumed) return;
    if (this.readState !== ReadState.Inactive) {
      this.readState = ReadState.ReadMore;
      return;
    }
    this.readState = ReadState.Reading;
    this.pushCalled = false;
    let p;
    while (!this.pushCalled && this.item !== this.root && this.buffer !== void 0) {
      p = this.item.read(size);
      if (p) await p;
    }
    if (this.buffer === void 0) return;
    if (this.item === this.root) {
      if (this.buffer.length) this.push(this.buffer);
      this.push(null);
      this.readState = ReadState.Consumed;
      this.cleanup();
      return;
    }
    if (this.readState === ReadState.ReadMore) {
      this.readState = ReadState.Inactive;
      await this._read(size);
      return;
    }
    this.readState = ReadState.Inactive;
  }
  cleanup() {
    this.readState = ReadState.Consumed;
    this.buffer = void 0;
    this.visited = void 0;
    this.item = void 0;
    this.root = void 0;
    this.prePush = void 0;
  }
  destroy(error) {
    var _super$destroy;
    if (error) this.emit("error", error);
    (_super$destroy = super.destroy) === null || _super$destroy === void 0 || _super$destroy.call(this);
    this.cleanup();
    return this;
  }
};
export {
  JsonStreamStringify
};
