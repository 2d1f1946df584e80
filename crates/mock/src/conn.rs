//! A listener whose connections a handler can cut, for the "connection drop" fault.
//!
//! Every accepted socket is wrapped in a [`MockStream`] sharing a kill switch with the
//! [`Connection`] handle that handlers receive as connect info. Once killed, the stream fails
//! every read and write, so hyper abandons the connection without writing the response, and the
//! socket is closed when hyper drops it.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts TCP connections as [`MockStream`]s.
pub(crate) struct MockListener(pub(crate) TcpListener);

impl Listener for MockListener {
    type Io = MockStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        // Small responses go out at once; the mock is measured by latency-sensitive tests.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let stream = MockStream {
            inner: stream,
            killed: Arc::new(AtomicBool::new(false)),
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A TCP stream with a kill switch.
pub(crate) struct MockStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
}

/// Lets a handler close its request's connection without a response.
#[derive(Clone, Debug)]
pub(crate) struct Connection(Arc<AtomicBool>);

impl Connection {
    /// Cuts the connection: the response is never written.
    pub(crate) fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, MockListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, MockListener>) -> Self {
        Self(stream.io().killed.clone())
    }
}

fn killed() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped by fault injection",
    )
}

impl MockStream {
    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }
}

impl AsyncRead for MockStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.is_killed() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for MockStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.is_killed() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.is_killed() {
            return Poll::Ready(Err(killed()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
