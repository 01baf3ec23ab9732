/* The HttpClient contract against the core's client over the simulator's node:net sockets. */

import { httpClientContract } from "../contract/http-client-contract";
import { NodeTcp } from "../../hosts/node/tcp";
import { NODE_TEXT_CODEC } from "../../hosts/node/text-codec";
import { TcpHttpClient } from "../../modules/http/http-client";

httpClientContract("TcpHttpClient over NodeTcp", () => new TcpHttpClient({ tcp: new NodeTcp(), text: NODE_TEXT_CODEC }));
