// The supervisor's .proto files, parsed once at build time into packages/shim/lib/protos.json:
// every hullctl command and every shim start would otherwise parse them again (see shim's proto.ts).
'use strict';
const fs = require('fs');
const path = require('path');

const lib = path.resolve(__dirname, '../packages/shim/lib');
const { parseProtos } = require(path.join(lib, 'proto.js'));
fs.writeFileSync(path.join(lib, 'protos.json'), JSON.stringify(parseProtos().toJSON({ keepComments: false })));
