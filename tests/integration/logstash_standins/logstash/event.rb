# Stand-in for Logstash core (see ../README.md): LogStash::Event.
require "logstash/namespace"

module LogStash
  class Event
    def initialize(data = {})
      @data = data
      @cancelled = false
    end

    def to_hash
      @data
    end

    def cancel
      @cancelled = true
    end

    def cancelled?
      @cancelled
    end

    def tag(name)
      tags = @data["tags"]
      tags = tags.nil? ? [] : Array(tags)
      @data["tags"] = tags.include?(name) ? tags : tags + [name]
    end

    # "[a][b]" is a path; anything else names one top-level key.
    def self.path_of(ref)
      ref.start_with?("[") ? ref.scan(/\[([^\]]+)\]/).flatten : [ref]
    end

    def get(ref)
      Event.path_of(ref).reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil }
    end

    def include?(ref)
      keys = Event.path_of(ref)
      parent = keys[0...-1].reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil }
      parent.is_a?(Hash) && parent.key?(keys.last)
    end

    def set(ref, value)
      keys = Event.path_of(ref)
      node = @data
      keys[0...-1].each do |key|
        node[key] = {} if node[key].nil?
        unless node[key].is_a?(Hash)
          raise ArgumentError, "Could not set field '#{keys.last}' on a #{node[key].class} at '#{key}' (#{ref})"
        end
        node = node[key]
      end
      node[keys.last] = value
    end

    def remove(ref)
      keys = Event.path_of(ref)
      parent = keys[0...-1].reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil }
      parent.delete(keys.last) if parent.is_a?(Hash)
    end
  end
end
