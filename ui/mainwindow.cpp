#include "mainwindow.h"

#include "net/proxyserver.h"
#include "net/proxyservice.h"

#include <QClipboard>
#include <QFormLayout>
#include <QGuiApplication>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Desktop {

MainWindow::MainWindow(Proxy::ProxyService *service, QWidget *parent)
    : QMainWindow(parent)
    , m_service(service)
{
    setWindowTitle(u"Switchyard"_s);
    setWindowIcon(QIcon(u":/switchyard/switchyard.svg"_s));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);

    auto *form = new QFormLayout;
    auto *address = new QLabel(m_service->url().toString(), central);
    address->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Listening on"), address);
    form->addRow(tr("Upstream"), new QLabel(m_service->upstream().displayName(), central));
    m_counters = new QLabel(central);
    form->addRow(tr("Requests"), m_counters);
    layout->addLayout(form);

    layout->addWidget(new QLabel(tr("Point Claude Code at Switchyard:"), central));
    auto *environment = new QLineEdit(claudeCodeEnvironment(), central);
    environment->setReadOnly(true);
    layout->addWidget(environment);
    auto *copy = new QPushButton(tr("Copy Claude Code environment"), central);
    connect(copy, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(claudeCodeEnvironment()); });
    layout->addWidget(copy, 0, Qt::AlignLeft);
    layout->addStretch();
    setCentralWidget(central);

    if (Proxy::ProxyServer *server = m_service->server()) {
        connect(server, &Proxy::ProxyServer::exchangeStarted, this, &MainWindow::updateCounters);
        connect(server, &Proxy::ProxyServer::exchangeFinished, this, [this] {
            ++m_finished;
            updateCounters();
        });
    }
    updateCounters();
    resize(560, 240);
}

MainWindow::~MainWindow() = default;

QString MainWindow::claudeCodeEnvironment() const
{
    return u"ANTHROPIC_BASE_URL=%1 ANTHROPIC_AUTH_TOKEN=switchyard"_s.arg(m_service->url().toString());
}

void MainWindow::updateCounters()
{
    m_counters->setText(tr("%1 answered, %2 in flight").arg(m_finished).arg(m_service->activeExchangeCount()));
}

} // namespace Desktop
