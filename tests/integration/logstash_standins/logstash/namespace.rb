# Stand-in for Logstash core (see ../README.md).
module LogStash
  module Filters; end
  module Util; end
end
