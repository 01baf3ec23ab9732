/* The HttpClient contract against the simulator's node:http client. */

import { httpClientContract } from "../contract/http-client-contract";
import { NodeHttpClient } from "../../hosts/node/http-client";

httpClientContract("NodeHttpClient", () => new NodeHttpClient());
