// The "publication made" seam: whatever wants each conflated update (the local server's
// subscribers, later a Redis bus) implements this and is registered with the app. Called on
// the event loop once per publication; the rows and the shared message are valid for the
// duration of the call only (copy the shared_ptr to keep the message). A sink must not block.
#pragma once

#include "sise/publish/fanout.hpp"

namespace sise::publish {

class publication_sink {
public:
    virtual ~publication_sink() = default;
    virtual void on_publication(const publication& publication) = 0;
};

}  // namespace sise::publish
