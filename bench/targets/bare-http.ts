import { createServer } from 'node:http';

// The ceiling: a plain Node http server that reads the poll body and answers an empty 200.

const port = Number(process.env.PORT ?? 3900);
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 0 });
    res.end();
  });
}).listen(port, '127.0.0.1');
