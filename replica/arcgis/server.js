// Koop (Esri's open-source GeoServices server) serving GeoJSON layers as ArcGIS FeatureServers.
// Usage: node server.js <data dir> <port>; layers are <data dir>/<ServiceName>.geojson and answer at
// /file-geojson/rest/services/<ServiceName>/FeatureServer/0.
const Koop = require('@koopjs/koop-core');
const provider = require('@koopjs/provider-file-geojson');

const [dataDir, port] = process.argv.slice(2);
const koop = new Koop({ logLevel: 'error' });
koop.register(provider, { dataDir });
koop.server.listen(Number(port), '127.0.0.1');
