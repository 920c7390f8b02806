// Koop (Esri's open-source GeoServices server) serving GeoJSON layers as ArcGIS FeatureServers.
// Usage: node server.js <data dir> <port>; layers are <data dir>/<ServiceName>.geojson and answer at
// /file-geojson/rest/services/<ServiceName>/FeatureServer/0.
const fs = require('fs');
const path = require('path');
const Koop = require('@koopjs/koop-core');
const provider = require('@koopjs/provider-file-geojson');

const [dataDir, port] = process.argv.slice(2);
const koop = new Koop({ logLevel: 'error' });

// Hosted layers on ArcGIS Online report when their data last changed (editingInfo, epoch ms);
// harvesters use it to skip unchanged layers. Koop does not, so the layer's file time stands in.
const LAYER_INFO = /\/rest\/services\/([^/]+)\/FeatureServer\/\d+\/?$/;
koop.server.use((req, res, next) => {
  const match = req.method === 'GET' && LAYER_INFO.exec(req.path);
  if (match) {
    const json = res.json.bind(res);
    res.json = (payload) => {
      try {
        const edited = Math.round(fs.statSync(path.join(dataDir, `${match[1]}.geojson`)).mtimeMs);
        if (payload && typeof payload === 'object' && !payload.error) {
          payload.editingInfo = { lastEditDate: edited, dataLastEditDate: edited };
        }
      } catch (error) {
        // no file: Koop answers with its own error
      }
      return json(payload);
    };
  }
  next();
});

koop.register(provider, { dataDir });
koop.server.listen(Number(port), '127.0.0.1');
