/*
 * The core's own TextCodec: plain JavaScript (text/utf8.ts), for a host that has nothing
 * faster and for the tests on XS.
 */

import type { TextCodec } from "../host/text-codec";
import { utf8Decode, utf8Encode } from "./utf8";

export const JS_TEXT_CODEC: TextCodec = Object.freeze({ encode: utf8Encode, decode: utf8Decode });
