// The peer of sise_bench_daemon: ccxt (pro, the websocket client most users would pick instead
// of sised) watching the same fake Upbit's tickers as sised, in the same run. It warms up, then
// counts the ticker messages ccxt handles (every frame, not only the ones a watchTicker await
// returns: ccxt resolves a waiting await with the latest ticker, so awaits see fewer) until
// FRAMES have arrived (or SECONDS passed), and prints one JSON line: frames handled, its own CPU
// seconds (process.cpuUsage: every thread of this node process), wall seconds and peak RSS.
//
//   node ccxt_peer.mjs WS_URL REST_URL MARKETS [FRAMES] [WARMUP_S] [SECONDS]
//   e.g. node ccxt_peer.mjs ws://127.0.0.1:9000/websocket/v1 http://127.0.0.1:9000 KRW-BTC,KRW-ETH
import ccxt from 'ccxt';

const [wsUrl, restUrl, marketList, framesArg, warmupArg, secondsArg] = process.argv.slice(2);
if (!wsUrl || !restUrl || !marketList) {
    console.error('usage: node ccxt_peer.mjs WS_URL REST_URL MARKETS [FRAMES] [WARMUP_S] [SECONDS]');
    process.exit(2);
}
const target = Number(framesArg ?? 100000);
const warmupMs = 1000 * Number(warmupArg ?? 2);
const limitMs = 1000 * Number(secondsArg ?? 60);

const upbit = new ccxt.pro.upbit({ enableRateLimit: false });
upbit.urls.api = { public: restUrl, private: restUrl };  // market list from the fake
upbit.urls.api.ws = wsUrl;
await upbit.loadHttpProxyAgent();  // ccxt needs its http agent for a plain ws:// url
await upbit.loadMarkets();
const symbols = marketList.split(',').map((id) => upbit.markets_by_id[id][0].symbol);

let count = 0;
const handleTicker = upbit.handleTicker;
upbit.handleTicker = function (client, message) {
    ++count;
    return handleTicker.call(this, client, message);
};
let running = true;
async function watch(symbol) {
    while (running) await upbit.watchTicker(symbol);
}
const watchers = symbols.map((symbol) => watch(symbol).catch((error) => {
    console.error(`ccxt_peer: ${symbol}: ${error}`);
    process.exit(1);
}));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
await sleep(warmupMs);
const startCount = count;
const startCpu = process.cpuUsage();
const startWall = process.hrtime.bigint();
const deadline = Date.now() + limitMs;
while (count - startCount < target && Date.now() < deadline) await sleep(100);
const cpu = process.cpuUsage(startCpu);
const wall = Number(process.hrtime.bigint() - startWall) / 1e9;
running = false;
console.log(JSON.stringify({
    frames: count - startCount,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    wall_s: wall,
    peak_rss_mib: process.resourceUsage().maxRSS / 1024,
}));
await upbit.close();
process.exit(0);
