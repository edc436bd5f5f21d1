//! A loopback TCP proxy that puts a fixed round-trip time between a client and a server, so a
//! run against a mock on this machine feels like a run against a deployment `rtt` away.
//!
//! - Each direction's bytes are delivered `rtt / 2` after the proxy read them: a reader task per
//!   direction stamps each chunk with its due time and queues it, a writer task sleeps until that
//!   time and writes it. Nothing is throttled (the queue is unbounded) and the order is kept (due
//!   times grow with the read times).
//! - A new connection costs one more round trip, the TCP handshake the loopback hides: the
//!   client's bytes are not delivered before `accept + rtt + rtt / 2` (SYN, SYN-ACK, then the
//!   first data half a round trip later).
//!
//! One exchange on a new connection therefore takes 2 x rtt, and each exchange after it on the
//! same connection 1 x rtt, as over a real network (TLS, which a deployment would add, is not
//! modelled).

#![allow(
    dead_code,
    reason = "shared by the bench and its test; each uses a part"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// A running proxy; stops accepting when dropped (connections in flight end with their peers).
pub struct RttProxy {
    pub addr: SocketAddr,
    pub rtt: Duration,
    connections: Arc<AtomicU64>,
    accept: JoinHandle<()>,
}

impl RttProxy {
    /// Listens on 127.0.0.1 (a free port) and forwards every connection to `upstream`.
    /// Call inside a tokio runtime that keeps running (the proxy's tasks live on it).
    pub async fn start(upstream: SocketAddr, rtt: Duration) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let connections = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&connections);
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let accepted = Instant::now();
                counted.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        relay(client, server, accepted, rtt);
                    }
                });
            }
        });
        Ok(Self {
            addr,
            rtt,
            connections,
            accept,
        })
    }

    /// `http://127.0.0.1:PORT`, the base URL that reaches the upstream through the proxy.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }
}

impl Drop for RttProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Relays both directions of one connection, each delayed by half the round trip; the client's
/// first bytes also wait for the handshake's round trip.
fn relay(client: TcpStream, server: TcpStream, accepted: Instant, rtt: Duration) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let half = rtt / 2;
    // Client to server: nothing before the handshake's round trip is over.
    direction(client_read, server_write, half, Some(accepted + rtt));
    direction(server_read, client_write, half, None);
}

/// A chunk and when it is due at the other side; `None` is the end of the stream.
type Timed = (Instant, Option<Vec<u8>>);

fn direction(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    delay: Duration,
    not_before: Option<Instant>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Timed>();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = from.read(&mut buf).await.unwrap_or(0);
            let read_at = Instant::now();
            let sent_at = not_before.map_or(read_at, |t| t.max(read_at));
            let chunk = (n > 0).then(|| buf[..n].to_vec());
            let done = chunk.is_none();
            if tx.send((sent_at + delay, chunk)).is_err() || done {
                break;
            }
        }
    });
    tokio::spawn(async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            match chunk {
                Some(bytes) => {
                    if to.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
                None => break,
            }
        }
        // The end of the stream (or a broken peer) travels on: half-close our side.
        let _ = to.shutdown().await;
    });
}

/// One request/response exchange through `stream`: writes `request`, reads until `expect`
/// bytes came back. Used by the proxy's test and the bench's calibration.
pub async fn ping(stream: &mut TcpStream, request: &[u8], expect: usize) -> std::io::Result<()> {
    stream.write_all(request).await?;
    let mut got = 0;
    let mut buf = vec![0u8; expect.max(1)];
    while got < expect {
        let n = stream.read(&mut buf[got..]).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        got += n;
    }
    Ok(())
}

/// An echo server on 127.0.0.1 (a free port): each connection gets back what it sends.
pub async fn echo_server() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let _ = s.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                while let Ok(n) = s.read(&mut buf).await {
                    if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    Ok(addr)
}

/// Times one exchange on a new connection through `proxy`, then one on the same connection:
/// (first, second). Expect about 2 x rtt and 1 x rtt.
pub async fn calibrate(proxy: &RttProxy) -> std::io::Result<(Duration, Duration)> {
    let started = Instant::now();
    let mut s = TcpStream::connect(proxy.addr).await?;
    s.set_nodelay(true)?;
    ping(&mut s, b"ping", 4).await?;
    let first = started.elapsed();
    let started = Instant::now();
    ping(&mut s, b"pong", 4).await?;
    Ok((first, started.elapsed()))
}
